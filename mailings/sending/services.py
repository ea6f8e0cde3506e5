"""Sending a mailing from the screens or `manage.py send_mailing`, exactly once.

`mailing_plan` says who would get it and who is left out, by reason, for the confirm page.
`mailing_send` claims the mailing (draft or scheduled -> sending, one UPDATE: a second click,
tab or worker finds it claimed and stops), then `mailing_snapshot` writes its deliveries and
their outbox messages in one transaction (safe to run again: it does nothing once written).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import bulk
from core.models import OutboxMessage
from core.outbox.queue import outbox_queue_composed
from mailings.audiences.selectors import REASONS, audience_exclusions
from mailings.letters.checks import letter_email_problems, letter_problems
from mailings.models import Mailing
from mailings.printing.households import household_counts, letter_groups
from mailings.sending.composer import COMPOSER
from mailings.sending.models import Delivery, MailingLog
from mailings.sending.subject_test import (
    SubjectTestRefused,
    TestPlan,
    subject_test_assign,
    subject_test_begin,
    subject_test_plan,
)

Status = Mailing.Status
Channel = Mailing.Channel


class SendRefused(Exception):
    """The mailing cannot be sent as it stands; the message says why, for staff."""


@dataclass
class ChannelPlan:
    channel: str
    recipients: list[tuple[int, str]] = field(default_factory=list)  # (supporter id, email)
    excluded: dict[str, int] = field(default_factory=dict)  # reason label -> count
    # Print only: letters, and how many of them go to households (and to how many people).
    letters: dict[str, int] = field(default_factory=dict)


@dataclass
class Plan:
    audience_count: int
    email: ChannelPlan | None
    print: ChannelPlan | None
    test: TestPlan | None = None  # the subject test, when the mailing has one
    test_problem: str = ""  # why its subject test cannot run as set up

    def as_snapshot(self) -> dict:
        return {
            "audience": self.audience_count,
            **{
                c.channel: {"recipients": len(c.recipients), "excluded": c.excluded, **c.letters}
                for c in (self.email, self.print)
                if c is not None
            },
        }


def mailing_plan(mailing: Mailing) -> Plan:
    """Who the mailing would reach by each of its channels, and who is left out and why.
    With 'email, and print for the rest', print goes to those email leaves out for a reason
    other than a lasting one (deceased, do not contact) and who may be mailed."""
    if mailing.audience is None:
        raise SendRefused("Choose an audience first: who should get this mailing?")
    email = print_ = None
    audience_count = 0
    emailed = None
    if mailing.channel in (Channel.EMAIL, Channel.BOTH):
        found = audience_exclusions(mailing.audience, "email")
        audience_count, emailed = found.audience_count, found.recipients
        email = ChannelPlan(
            "email",
            list(found.recipients.order_by("pk").values_list("pk", "email")),
            _labelled("email", found.excluded),
        )
    if mailing.channel in (Channel.PRINT, Channel.BOTH):
        found = audience_exclusions(mailing.audience, "print")
        audience_count = found.audience_count
        people = found.recipients.order_by("postal_code", "pk")
        if emailed is not None:
            # Whoever the email reaches, under this record or another with the same address,
            # gets no letter too.
            people = people.exclude(match_email__in=emailed.values("match_email"))
        rows = list(people.values_list("pk", "household_id"))
        print_ = ChannelPlan("print", [(pk, "") for pk, _ in rows])
        print_.letters = household_counts(letter_groups(rows))
        print_.excluded = _labelled("print", found.excluded)
        if emailed is not None:
            print_.excluded["Gets it by email"] = found.recipient_count - len(print_.recipients)
    plan = Plan(audience_count, email, print_)
    if mailing.tests_subjects and email is not None:
        try:
            plan.test = subject_test_plan(mailing, len(email.recipients))
        except SubjectTestRefused as refused:
            plan.test_problem = str(refused)
    return plan


def _labelled(channel: str, counts: dict[str, int]) -> dict[str, int]:
    labels = dict(REASONS[channel])
    return {labels[reason]: n for reason, n in counts.items() if n}


def mailing_check(mailing: Mailing) -> None:
    if mailing.status not in (Status.DRAFT, Status.SCHEDULED):
        raise SendRefused(
            f"This mailing is {mailing.get_status_display().lower()}; it is sent once."
        )
    if not mailing.letter.versions.exists():
        raise SendRefused(f"The letter '{mailing.letter}' has no text yet.")
    emailed = mailing.channel in (Channel.EMAIL, Channel.BOTH)
    problems = (letter_email_problems if emailed else letter_problems)(mailing.letter)
    if problems:
        raise SendRefused("Fix the letter first: " + "; ".join(problems))
    try:
        mailing.clean()  # the subject test's own checks, against the letter as it is now
    except ValidationError as exc:
        raise SendRefused("Fix the subject test first: " + "; ".join(exc.messages)) from exc
    if mailing.audience is None:
        raise SendRefused("Choose an audience first: who should get this mailing?")


def mailing_send(*, mailing: Mailing, user: AbstractBaseUser | None) -> Mailing:
    """Claim the mailing and start it; SendRefused if it was claimed already or cannot go.
    The claim and the snapshot are one transaction: a send that reaches nobody is refused
    and leaves the mailing as it was."""
    mailing_check(mailing)
    with transaction.atomic():
        claimed = Mailing.objects.filter(
            pk=mailing.pk, status__in=[Status.DRAFT, Status.SCHEDULED]
        ).update(status=Status.SENDING, started_at=timezone.now())
        if not claimed:
            raise SendRefused("This mailing was sent already (another tab or person started it).")
        try:
            written = mailing_snapshot(mailing_id=mailing.pk)
        except SubjectTestRefused as refused:
            raise SendRefused(str(refused)) from refused
        if not written:
            raise SendRefused(
                "Nobody in the audience can get this mailing by its channels: see who is left "
                "out and why, or choose another audience."
            )
        _log(mailing, user, "Sent")
        if mailing.tests_subjects:
            subject_test_begin(mailing_id=mailing.pk, user=user)
    mailing.refresh_from_db()
    return mailing


@transaction.atomic
def mailing_snapshot(*, mailing_id: int) -> int:
    """Write the deliveries and queue the emails; nothing when already written. Returns the
    number of deliveries written."""
    mailing = (
        Mailing.objects.select_for_update(of=("self",))
        .select_related("audience", "letter")
        .get(pk=mailing_id)
    )
    if mailing.status != Status.SENDING or mailing.deliveries.exists():
        return 0
    plan = mailing_plan(mailing)
    now = timezone.now()
    written = 0
    if plan.email and plan.email.recipients:
        recipients = plan.email.recipients
        ids = bulk.reserve_ids(Delivery, len(recipients))
        # With a subject test each row carries its subject ("a", "b", or "" for the rest),
        # and only the test's sample is queued now: the rest waits for the winner.
        testing = mailing.tests_subjects
        variants = subject_test_assign(mailing, recipients) if testing else [""] * len(ids)
        rows = [
            {"id": pk, "mailing_id": mailing.pk, "supporter_id": sid, "channel": "email",
             "email": email, "subject_variant": variant, "created_at": now}
            for pk, (sid, email), variant in zip(ids, recipients, variants, strict=True)
        ]  # fmt: skip
        written += bulk.insert_rows(Delivery, rows)
        outbox_queue_composed(
            kind="appeal",
            composer=COMPOSER,
            recipients=[
                (row["id"], row["email"]) for row in rows if row["subject_variant"] or not testing
            ],
            priority=OutboxMessage.Priority.BULK,
        )
    if plan.print and plan.print.recipients:
        written += bulk.insert_rows(
            Delivery,
            (
                {"mailing_id": mailing.pk, "supporter_id": sid, "channel": "print", "email": "",
                 "subject_variant": "", "created_at": now}
                for sid, _ in plan.print.recipients
            ),
        )  # fmt: skip
    mailing.snapshot = plan.as_snapshot()
    mailing.save(update_fields=["snapshot"])
    return written


def mailing_schedule(*, mailing: Mailing, when: datetime, user: AbstractBaseUser | None) -> None:
    mailing_check(mailing)
    if when <= timezone.now():
        raise SendRefused("Choose a time in the future, or send it now.")
    Mailing.objects.filter(pk=mailing.pk).update(status=Status.SCHEDULED, scheduled_for=when)
    _log(mailing, user, f"Scheduled for {timezone.localtime(when):%Y-%m-%d %H:%M}")


def mailing_cancel(*, mailing: Mailing, user: AbstractBaseUser | None) -> None:
    """Only before it goes: a draft or a scheduled mailing."""
    cancelled = Mailing.objects.filter(
        pk=mailing.pk, status__in=[Status.DRAFT, Status.SCHEDULED]
    ).update(status=Status.CANCELLED)
    if not cancelled:
        raise SendRefused("Only a draft or scheduled mailing can be cancelled.")
    _log(mailing, user, "Cancelled")


def mailings_due_send(*, now: datetime | None = None) -> int:
    """Send the scheduled mailings whose time has come (called by the scheduler task)."""
    sent = 0
    for mailing in Mailing.objects.filter(
        status=Status.SCHEDULED, scheduled_for__lte=now or timezone.now()
    ):
        try:
            mailing_send(mailing=mailing, user=None)
            sent += 1
        except SendRefused:
            continue  # claimed by another worker, or no longer sendable
    return sent


def _log(mailing: Mailing, user: AbstractBaseUser | None, action: str) -> None:
    MailingLog.objects.create(
        mailing=mailing, user=user if getattr(user, "pk", None) else None, action=action
    )
