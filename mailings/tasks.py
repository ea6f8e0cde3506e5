from django_tasks import task

from mailings.printing.print_job import mailing_print_run
from mailings.sending.services import mailings_due_send
from mailings.sending.subject_test import subject_test_decide, subject_tests_due_decide


@task()
def mailings_send_due() -> int:
    """Send the scheduled mailings whose time has come; queued to run at each one's time.
    Safe to run twice and at any time: each mailing is claimed before it is sent. Also
    decides any subject test whose wait is over."""
    return mailings_due_send() + subject_tests_due_decide()


@task()
def mailing_subject_test_decide(mailing_id: int) -> str:
    """A subject test's winner, queued to run when its wait is over."""
    return subject_test_decide(mailing_id=mailing_id)


@task()
def mailing_print(mailing_id: int) -> bool:
    """Lay out a sent mailing's printed letters and its mailing list (a Print button)."""
    return mailing_print_run(mailing_id=mailing_id)
