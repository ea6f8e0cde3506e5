from django.apps import AppConfig


class DonationsConfig(AppConfig):
    name = "donations"
    verbose_name = "Donations"

    def ready(self) -> None:
        from core import recompute
        from crm.signals import demo_seeded
        from donations import checks  # noqa: F401 - registers the deployment checks

        # Explicit calls from core's and crm's services (core.recompute says why not signals).
        recompute.fiscal_year_moved.register(_rebuild_summaries_after_commit)
        recompute.supporters_merging.register(_statement_sends_before_merge)
        recompute.supporters_merged.register(_refresh_after_merge)
        demo_seeded.connect(_seed_demo_gifts, dispatch_uid="donations.demo_gifts")


def _statement_sends_before_merge(*, survivor_id: int, merged_id: int) -> None:
    from donations.acknowledgements.statement_runs import statement_sends_merge

    statement_sends_merge(survivor_id=survivor_id, merged_id=merged_id)


def _refresh_after_merge(*, survivor_id: int, merged_id: int) -> None:
    from donations.summary import donor_summaries_refresh

    donor_summaries_refresh(supporter_ids=[survivor_id])


def _seed_demo_gifts(sender: object, seed: int, **kwargs: object) -> str:
    from donations.demo_data import demo_gifts_seed

    return demo_gifts_seed(seed=seed)


def _rebuild_summaries_after_commit() -> None:
    """Fiscal-year totals are stored per year; a new first month regroups every gift, so
    every summary is recomputed in the background once the change is saved."""
    from django.db import transaction

    from donations.tasks import rebuild_donor_summaries

    transaction.on_commit(rebuild_donor_summaries.enqueue)
