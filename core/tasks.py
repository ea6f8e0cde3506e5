from django_tasks import task

from core.outbox.sending import outbox_send_due


@task(priority=10)
def outbox_drain() -> int:
    """Send what the outbox holds that is due. Any number may run at once, on any machine:
    each claims its own messages. Runs at most a minute, so a worker also serves other tasks;
    what is left is picked up by the other drains queued with it or by the follow-up."""
    return outbox_send_due(budget_seconds=60)
