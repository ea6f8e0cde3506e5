"""Mailings a supporter received, on their profile's timeline: emails and printed letters."""

from django.urls import reverse

from crm.models import Supporter
from crm.profile.timeline import Entry
from mailings.sending.models import Delivery


def delivery_entries(supporter: Supporter, limit: int) -> list[Entry]:
    deliveries = (
        Delivery.objects.filter(supporter=supporter)
        .select_related("mailing")
        .order_by("-created_at")[:limit]
    )
    return [
        Entry(d.created_at, "email" if d.channel == Delivery.Channel.EMAIL else "letter",
              d.mailing.name, detail=d.email if d.channel == Delivery.Channel.EMAIL else "",
              url=reverse("admin:mailings_mailing_results", args=[d.mailing_id]))
        for d in deliveries
    ]  # fmt: skip
