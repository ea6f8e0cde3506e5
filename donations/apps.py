from typing import Any

from django.apps import AppConfig


class DonationsConfig(AppConfig):
    name = "donations"
    verbose_name = "Donations"

    def ready(self) -> None:
        from crm.signals import demo_seeded, supporters_merged
        from donations import checks  # noqa: F401 - registers the deployment checks

        supporters_merged.connect(_refresh_after_merge, dispatch_uid="donations.summary_merge")
        demo_seeded.connect(_seed_demo_gifts, dispatch_uid="donations.demo_gifts")
        from django.db.models.signals import post_save, pre_save

        from core.models import Organisation

        pre_save.connect(_remember_fiscal_month, sender=Organisation, dispatch_uid="donations.fy")
        post_save.connect(
            _rebuild_when_fiscal_year_moves, sender=Organisation, dispatch_uid="donations.fiscal"
        )


def _refresh_after_merge(sender: Any, survivor: Any, **kwargs: Any) -> None:
    from donations.summary import donor_summaries_refresh

    donor_summaries_refresh(supporter_ids=[survivor.pk])


def _seed_demo_gifts(sender: Any, seed: int, **kwargs: Any) -> str:
    from donations.demo_data import demo_gifts_seed

    return demo_gifts_seed(seed=seed)


def _remember_fiscal_month(sender: Any, instance: Any, **kwargs: Any) -> None:
    instance._stored_fiscal_month = (
        sender.objects.filter(pk=instance.pk)
        .values_list("fiscal_year_start_month", flat=True)
        .first()
    )


def _rebuild_when_fiscal_year_moves(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Fiscal-year totals are stored per year; a new first month regroups every gift, so
    every summary is recomputed in the background once the change is saved."""
    from django.db import transaction

    from donations.tasks import rebuild_donor_summaries

    stored = getattr(instance, "_stored_fiscal_month", None)
    if stored is not None and stored != instance.fiscal_year_start_month:
        transaction.on_commit(rebuild_donor_summaries.enqueue)
