"""Changes a signed-in donor makes to their own record: postal address, language, what they
get by email and post, and their email address (applied only once the new address confirms
it by link). Each change is saved with a history reason and a note staff see on the
supporter's page; consent changes are also ConsentEvents, as crm records every consent change."""

from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.models import Suppression
from core.outbox.addresses import email_hash
from core.outbox.suppression import suppression_add
from crm import addresses
from crm.matching import clean_email
from crm.models import ConsentEvent, Note, Supporter
from crm.services import consent_record_changes, consent_snapshot
from donations.account import emails, links

SOURCE = "Donor account (/account/)"
ADDRESS_FIELDS = ("address_line1", "address_line2", "city", "region", "postal_code", "country")


class AccountChangeRefused(Exception):
    """A change that cannot be made; the message is for the donor, in their language, and
    `field` names the form field it is about, when one is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _locked(supporter_id: int) -> Supporter:
    return Supporter.objects.select_for_update().get(pk=supporter_id)


def _save(supporter: Supporter, *, reason: str, note: str) -> None:
    supporter._change_reason = reason[:100]
    supporter.save()
    Note.objects.create(supporter=supporter, text=f"Changed by the donor in their account: {note}")


@transaction.atomic
def account_address_change(*, supporter_id: int, **address: str) -> bool:
    """Replace the postal address (the ADDRESS_FIELDS); True when something changed."""
    supporter = _locked(supporter_id)
    before = supporter.address_lines
    values = {name: (address.get(name) or "").strip() for name in ADDRESS_FIELDS}
    values["country"] = (values["country"] or addresses.home_country()).upper()
    checked = addresses.normalise(
        country=values["country"], region=values["region"], postal_code=values["postal_code"]
    )
    if checked.errors:
        field, message = next(iter(checked.errors.items()))
        raise AccountChangeRefused(_address_error(field, message), field=field)
    values["region"], values["postal_code"] = checked.region, checked.postal_code
    if all(getattr(supporter, name) == value for name, value in values.items()):
        return False
    for name, value in values.items():
        setattr(supporter, name, value)
    old = " / ".join(before) or "none"
    new = " / ".join(supporter.address_lines) or "none"
    _save(supporter, reason="Address changed by the donor", note=f"postal address {old} → {new}.")
    return True


def _address_error(field: str, english: str) -> str:
    """crm.addresses explains in English (with examples); other languages get it plainly."""
    if (get_language() or "en").startswith("en"):
        return english
    if field == "postal_code":
        return _("Please check the ZIP or postal code.")
    if field == "region":
        return _("Please check the state or province.")
    return _("Please check this part of the address.")


@transaction.atomic
def account_language_change(*, supporter_id: int, language: str) -> bool:
    if language not in Supporter.Language.values:
        raise AccountChangeRefused(_("Please choose English or Spanish."))
    supporter = _locked(supporter_id)
    if supporter.preferred_language == language:
        return False
    old = supporter.get_preferred_language_display()
    supporter.preferred_language = language
    new = supporter.get_preferred_language_display()
    _save(supporter, reason="Language changed by the donor", note=f"language {old} → {new}.")
    return True


@transaction.atomic
def account_contact_preferences_change(
    *, supporter_id: int, email_appeals: bool, postal_mail: bool
) -> bool:
    """News and appeals by email (opt in or out) and letters by post (do not mail).
    Receipts and account emails go either way. True when something changed."""
    supporter = _locked(supporter_id)
    before = consent_snapshot(supporter)
    if email_appeals:
        supporter.email_opt_in = Supporter.EmailOptIn.OPTED_IN
        supporter.do_not_email = False  # the donor's own word outranks an earlier unsubscribe
    else:
        supporter.email_opt_in = Supporter.EmailOptIn.OPTED_OUT
    supporter.do_not_mail = not postal_mail
    if consent_snapshot(supporter) == before:
        return False
    changes = ", ".join(
        f"{name.replace('_', ' ')} {before[name]} → {getattr(supporter, name)}"
        for name in before
        if before[name] != getattr(supporter, name)
    )
    _save(supporter, reason="Contact preferences changed by the donor", note=f"{changes}.")
    consent_record_changes(
        supporter=supporter, before=before, method=ConsentEvent.Method.WEB_FORM, source=SOURCE
    )
    if supporter.email:
        _suppression_follow(supporter.email, email_appeals=email_appeals)
    return True


def _suppression_follow(email: str, *, email_appeals: bool) -> None:
    """The suppression list follows the donor's choice as the unsubscribe page's does; a
    bounce or a complaint stays, since only sending can clear those."""
    if email_appeals:
        Suppression.objects.filter(
            email_hash=email_hash(email), reason=Suppression.Reason.UNSUBSCRIBED
        ).delete()
    else:
        suppression_add(
            email=email,
            scope=Suppression.Scope.APPEALS,
            reason=Suppression.Reason.UNSUBSCRIBED,
            source=SOURCE,
        )


@transaction.atomic
def account_email_change_request(*, supporter_id: int, new_email: str) -> None:
    """Send a confirmation link to the new address. Nothing changes until it is opened; an
    address another supporter has is refused only then, and only to whoever holds it."""
    supporter = _locked(supporter_id)
    address = clean_email(new_email)
    if not address:
        raise AccountChangeRefused(_("Please enter an email address."))
    if address == supporter.email:
        raise AccountChangeRefused(_("That is already the address we have for you."))
    links.email_change_link_request(supporter=supporter, new_email=address)
    Note.objects.create(
        supporter=supporter,
        text=f"The donor asked in their account to change their email to {address}; "
        "a confirmation link was sent there.",
    )


def account_email_change_confirm(*, token: str) -> Supporter:
    """Apply the new address the link confirms. Refused (the link used all the same, and a
    note left for staff) when another supporter has that address."""
    with transaction.atomic():
        link = links.link_use(token=token, purpose=links.Purpose.EMAIL_CHANGE)
        if link is None:
            refusal = _("This link has expired or has already been used. Nothing was changed.")
        else:
            supporter = _locked(link.supporter_id)
            refusal = _email_apply(supporter, link.new_email)
    if refusal:
        raise AccountChangeRefused(refusal)
    return supporter


def _email_apply(supporter: Supporter, new: str) -> str:
    if Supporter.objects.filter(email=new).exclude(pk=supporter.pk).exists():
        Note.objects.create(
            supporter=supporter,
            text=f"The donor confirmed {new} as their email, but another supporter has it; "
            "nothing was changed. Staff may want to merge the two records.",
        )
        return _(
            "We already have this address on another record, so nothing was changed. "
            "Please contact us and we will put your records together."
        )
    old = supporter.email
    supporter.email = new
    _save(
        supporter,
        reason="Email changed by the donor",
        note=f"email {old or 'none'} → {new} (confirmed by a link sent to the new address).",
    )
    if old:  # the donor hears of it at the old address too, in case it was not them
        notice = emails.email_changed_message(supporter=supporter, new_email=new)
        emails.queue(notice, to=old, kind="account-email-changed")
    return ""
