from django_tasks import task

from donations.emails import thank_you_send
from donations.receipts import receipt_issue


@task()
def thank_donor(gift_id: int) -> bool:
    return thank_you_send(gift_id=gift_id)


@task()
def reissue_receipt(gift_id: int) -> None:
    """After a refund or correction to a receipted gift."""
    from donations.models import Gift

    gift = Gift.objects.get(pk=gift_id)
    if gift.receipts.exists():
        receipt_issue(gift=gift)


@task()
def rebuild_donor_summaries() -> int:
    """After the fiscal year's first month changes, every fiscal-year total moves."""
    from donations import reference
    from donations.summary import donor_summaries_rebuild

    # This process (a worker) may remember the old month for a minute: read it afresh.
    reference.forget()

    return donor_summaries_rebuild()


@task()
def gift_import_run(job_id: int) -> None:
    """A large gift import's next step: its dry run, or its import once confirmed."""
    from crm.import_jobs import import_job_run
    from donations.gift_resources import GIFT_IMPORT

    import_job_run(job_id=job_id, kind=GIFT_IMPORT)
