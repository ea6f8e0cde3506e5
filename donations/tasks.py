from django_tasks import task

from donations.acknowledgements.emails import thank_you_send, tribute_notice_send
from donations.acknowledgements.receipts import receipt_issue


@task(priority=20)  # the ledger first: the events' thank-yous and the outbox's drains wait
def stripe_event_run(event_id: str) -> bool:
    """Process a Stripe event the webhook stored and answered (donations.stripe.inbox). Safe
    to run twice: a processed event is left alone. A failure is kept on the event, with its
    next attempt queued after a backoff (the last one flags it for a person), and raised, so
    the task's own row shows it too; an event that needs attention is not an error."""
    from donations.stripe.inbox import NeedsAttention, stripe_event_process

    try:
        return stripe_event_process(event_id=event_id, retry_later=True)
    except NeedsAttention:
        return False  # kept on the event with its reason; a retry would change nothing


@task()
def thank_donor(gift_id: int) -> bool:
    """The thank-you with its receipt, and the tribute notice the donor asked for when it goes
    by email. Each is sent once, however often this runs; neither waits on the other (a donor
    without email still has their notice emailed)."""
    thanked = thank_you_send(gift_id=gift_id)
    tribute_notice_send(gift_id=gift_id)
    return thanked


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
def file_import_run(job_id: int) -> None:
    """A large import's next step (people, gifts or both: donations.imports.any_file): its dry
    run, or its import once confirmed."""
    from crm.importing.jobs import import_job_run
    from donations.imports.any_file import FILE_IMPORT

    import_job_run(job_id=job_id, kind=FILE_IMPORT)


@task()
def statements_email_run(fiscal_year: int, user_id: int | None = None) -> int:
    """The statements screen's 'Send the emails': safe to run twice, each donor is emailed
    once a year (donations.acknowledgements.statement_runs)."""
    from django.contrib.auth import get_user_model

    from donations.acknowledgements.statement_runs import statements_email

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return statements_email(fiscal_year=fiscal_year, sent_by=user).sent


@task()
def gift_fee_fill(gift_id: int, balance_transaction_id: str = "") -> bool:
    """Stripe's fee and net of a gift, read after the webhook's transaction committed
    (donations.deposits.payouts.gift_fee_capture). Safe to run twice: a known fee is kept."""
    from donations.deposits.payouts import gift_fee_fetch

    return gift_fee_fetch(gift_id=gift_id, balance_transaction_id=balance_transaction_id)


@task()
def account_sign_in_link(email: str) -> None:
    """Email a sign-in link if the address is on file (donations.account.links). Run here,
    not in the request, so asking costs the same whether or not the address is known: the
    page only ever writes this one task row."""
    from donations.account.links import sign_in_link_request

    sign_in_link_request(email=email)
