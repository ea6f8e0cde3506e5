"""What an ESP's tracking events mean for a supporter's consent (core.outbox.tracking tells
us): a spam complaint stops all email, an unsubscribe at the ESP stops appeals. Each change is
a consent event staff can see, like an unsubscribe from our own link."""

from django.db import transaction

from crm.models import ConsentEvent, Supporter
from crm.services import consent_record_changes, consent_snapshot


def supporter_email_event(message: object, event_type: str, email: str) -> None:
    if event_type not in ("complained", "unsubscribed") or not email:
        return
    with transaction.atomic():
        for supporter in Supporter.objects.select_for_update().filter(email=email.strip().lower()):
            before = consent_snapshot(supporter)
            supporter.email_opt_in = Supporter.EmailOptIn.OPTED_OUT
            if event_type == "complained":
                supporter.do_not_email = True
            if consent_snapshot(supporter) == before:
                continue
            supporter._change_reason = (
                "Marked our email as spam"
                if event_type == "complained"
                else "Unsubscribed at the ESP"
            )
            supporter.save()
            consent_record_changes(
                supporter=supporter,
                before=before,
                method=ConsentEvent.Method.BOUNCE
                if event_type == "complained"
                else ConsentEvent.Method.UNSUBSCRIBE,
                source=f"ESP tracking: {event_type}",
            )
