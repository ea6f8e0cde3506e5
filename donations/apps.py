from typing import Any

from django.apps import AppConfig


class DonationsConfig(AppConfig):
    name = "donations"
    verbose_name = "Donations"

    def ready(self) -> None:
        from crm.signals import supporters_merged

        supporters_merged.connect(_refresh_after_merge, dispatch_uid="donations.summary_merge")


def _refresh_after_merge(sender: Any, survivor: Any, **kwargs: Any) -> None:
    from donations.summary import donor_summaries_refresh

    donor_summaries_refresh(supporter_ids=[survivor.pk])
