"""Scheduling a mailing and waking the worker at its time."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from mailings.models import Mailing
from mailings.sending.services import mailing_schedule


def mailing_schedule_queued(
    *, mailing: Mailing, when: datetime, user: AbstractBaseUser | None
) -> bool:
    """mailing_schedule, then (once committed) a `mailings_send_due` task to run at `when`.
    Returns whether one was queued: a backend that cannot defer tasks (tests run them at
    once) queues none, and the next `mailings_send_due` sends it."""
    from mailings.tasks import mailings_send_due

    mailing_schedule(mailing=mailing, when=when, user=user)
    if not mailings_send_due.get_backend().supports_defer:
        return False
    transaction.on_commit(lambda: mailings_send_due.using(run_after=when).enqueue())
    return True
