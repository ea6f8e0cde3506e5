from typing import Any

from django.apps import AppConfig


class DonationsConfig(AppConfig):
    name = "donations"
    verbose_name = "Donations"

    def ready(self) -> None:
        from crm.signals import demo_seeded, supporters_merged

        supporters_merged.connect(_refresh_after_merge, dispatch_uid="donations.summary_merge")
        demo_seeded.connect(_seed_demo_gifts, dispatch_uid="donations.demo_gifts")


def _refresh_after_merge(sender: Any, survivor: Any, **kwargs: Any) -> None:
    from donations.summary import donor_summaries_refresh

    donor_summaries_refresh(supporter_ids=[survivor.pk])


def _seed_demo_gifts(sender: Any, seed: int, **kwargs: Any) -> str:
    from donations.demo_data import demo_gifts_seed

    return demo_gifts_seed(seed=seed)
