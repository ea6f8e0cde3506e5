"""Testing two subject lines: when a mailing with a second subject is sent, a sample of its
email recipients gets the letter's subject (A) or the second one (B), half each, and the rest
wait. After the mailing's wait, `subject_test_decide` picks the subject with the higher rate of
opens (or clicks) among the sample's sent messages, a tie going to A, and queues the rest
with it. A staff member may decide early from the results page.

Deliveries carry their subject: "a" or "b" in the sample; "" for the rest until the winner is
decided, when they take the winner's letter in capitals ("A" or "B": the winner, sent after the
test), so the sample's own figures stay apart. Only queued deliveries have outbox messages, so
the rest are never sent before the decision, and the decision queues them once (it runs under
the mailing's row lock and does nothing once a winner is set)."""

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from core.models import OutboxMessage
from core.outbox.queue import outbox_queue_composed
from mailings.models import Mailing
from mailings.sending.composer import COMPOSER
from mailings.sending.models import Delivery, MailingLog

# Below this many recipients per subject a difference in opens says nothing.
MIN_PER_SUBJECT = 25
VARIANTS = ("a", "b")
REST = "rest"


class SubjectTestRefused(Exception):
    """The test cannot run as set up (too few recipients); the message says why."""


@dataclass(frozen=True)
class TestPlan:
    per_subject: int
    rest: int


@dataclass(frozen=True)
class VariantResult:
    variant: str
    subject: str
    recipients: int
    sent: int
    opened: int
    clicked: int

    def rate(self, metric: str) -> float | None:
        hits = self.clicked if metric == Mailing.TestMetric.CLICKS else self.opened
        return hits / self.sent if self.sent else None

    @property
    def open_rate(self) -> float | None:
        return self.rate(Mailing.TestMetric.OPENS)

    @property
    def click_rate(self) -> float | None:
        return self.rate(Mailing.TestMetric.CLICKS)


def subject_test_plan(mailing: Mailing, recipients: int) -> TestPlan:
    """How many get each subject and how many wait; SubjectTestRefused if too few."""
    per_subject = recipients * mailing.test_share // 200
    if per_subject < MIN_PER_SUBJECT:
        needed = -(-MIN_PER_SUBJECT * 200 // mailing.test_share)
        raise SubjectTestRefused(
            f"A subject test needs at least {MIN_PER_SUBJECT} recipients per subject: with a "
            f"test share of {mailing.test_share}% that is {needed:,} email recipients, and this "
            f"audience has {recipients:,}. Raise the test share, choose a larger audience, or "
            "remove the second subject."
        )
    return TestPlan(per_subject, recipients - 2 * per_subject)


def subject_test_assign(mailing: Mailing, recipients: list[tuple[int, str]]) -> list[str]:
    """Each recipient's subject, in the order given: "a", "b", or "" (waits for the winner).
    Drawn at random, the same for the same mailing and recipients."""
    plan = subject_test_plan(mailing, len(recipients))
    # Not a secret, only a fair draw: seeded so that a rerun draws the same sample.
    draw = random.Random(mailing.pk)  # noqa: S311
    sample = draw.sample(range(len(recipients)), 2 * plan.per_subject)
    variants = [""] * len(recipients)
    for n, index in enumerate(sample):
        variants[index] = VARIANTS[n % 2]
    return variants


def subject_test_begin(*, mailing_id: int, user: AbstractBaseUser | None) -> None:
    """Once the sample is queued (in the send's transaction): the log line, and the decision
    queued for its time. A backend that cannot defer tasks (tests run them at once) queues
    none: `mailings_send_due` and the results page decide a test whose time has come."""
    from mailings.tasks import mailing_subject_test_decide

    mailing = Mailing.objects.get(pk=mailing_id)
    counts = Counter(
        Delivery.objects.filter(mailing=mailing, channel="email").values_list(
            "subject_variant", flat=True
        )
    )
    decide_at = mailing.test_decides_at
    MailingLog.objects.create(
        mailing=mailing,
        user=user if getattr(user, "pk", None) else None,
        action=f"Subject test: {counts['a']:,} get A and {counts['b']:,} get B; the winner "
        f"by {mailing.get_test_metric_display().lower()} goes to the other {counts['']:,} "
        f"at {timezone.localtime(decide_at):%Y-%m-%d %H:%M}",
    )
    if mailing_subject_test_decide.get_backend().supports_defer:
        transaction.on_commit(
            lambda: mailing_subject_test_decide.using(run_after=decide_at).enqueue(mailing_id)
        )


def subject_test_results(mailing: Mailing, *, rest: bool = False) -> list[VariantResult]:
    """A and B in the sample: who got each, and of their sent messages how many were opened
    and clicked; with `rest`, a third row for those who got the winner after the test."""
    deliveries = Delivery.objects.filter(mailing=mailing, channel="email")
    groups = {variant: [variant] for variant in VARIANTS}
    if rest and mailing.test_winner:
        groups[REST] = ["A", "B"]
    results = []
    for name, variants in groups.items():
        chosen = deliveries.filter(subject_variant__in=variants)
        messages = OutboxMessage.objects.filter(composer=COMPOSER, ref__in=chosen.values("pk"))
        found = messages.aggregate(
            sent=Count("pk", filter=Q(status=OutboxMessage.Status.SENT)),
            opened=Count("pk", filter=Q(opened_at__isnull=False)),
            clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
        )
        letter = (mailing.test_winner if name == REST else name) or "a"
        subject = mailing.subject_b if letter == "b" else _letter_subject(mailing)
        results.append(VariantResult(name, subject, chosen.count(), **found))
    return results


def subject_test_winner(results: list[VariantResult], metric: str) -> tuple[str, str]:
    """The better subject and why, in words for the mailing's log."""
    a, b = results[:2]
    other = Mailing.TestMetric.OPENS if metric == Mailing.TestMetric.CLICKS else metric
    for measure in dict.fromkeys([metric, other, Mailing.TestMetric.CLICKS]):
        rate_a, rate_b = a.rate(measure) or 0.0, b.rate(measure) or 0.0
        if rate_a != rate_b:
            winner = "a" if rate_a > rate_b else "b"
            return winner, f"by {measure}: A {rate_a:.0%}, B {rate_b:.0%}"
    return "a", "a tie, so the letter's own subject"


def subject_test_decide(
    *, mailing_id: int, now: datetime | None = None, user: AbstractBaseUser | None = None,
    early: bool = False,
) -> str:  # fmt: skip
    """Pick the winner and queue the rest with it, once the wait is over (or at once when a
    person asks, `early`). Returns the winner, or "" when there is nothing to decide yet."""
    now = now or timezone.now()
    with transaction.atomic():
        mailing = Mailing.objects.select_for_update().get(pk=mailing_id)
        if (
            not mailing.tests_subjects
            or mailing.test_winner
            or mailing.status != Mailing.Status.SENDING
            or mailing.started_at is None
        ):
            return ""
        if not early and now < mailing.test_decides_at:
            return ""
        winner, why = subject_test_winner(subject_test_results(mailing), mailing.test_metric)
        rest = Delivery.objects.filter(mailing=mailing, channel="email", subject_variant="")
        recipients = list(rest.order_by("pk").values_list("pk", "email"))
        rest.update(subject_variant=winner.upper())
        outbox_queue_composed(
            kind="appeal", composer=COMPOSER, recipients=recipients,
            priority=OutboxMessage.Priority.BULK,
        )  # fmt: skip
        Mailing.objects.filter(pk=mailing.pk).update(test_winner=winner, test_decided_at=now)
        MailingLog.objects.create(
            mailing=mailing,
            user=user if getattr(user, "pk", None) else None,
            action=f"Subject {winner.upper()} won ({why}); sent to the other {len(recipients):,}",
        )
    return winner


def subject_tests_due_decide(*, now: datetime | None = None) -> int:
    """Decide every test whose wait is over (the scheduler task and the results page call
    this; a test is decided once however often it runs)."""
    decided = 0
    waiting = Mailing.objects.filter(
        status=Mailing.Status.SENDING, test_winner="", started_at__isnull=False
    ).exclude(subject_b="")
    for mailing_id in waiting.values_list("pk", flat=True):
        decided += bool(subject_test_decide(mailing_id=mailing_id, now=now))
    return decided


def _letter_subject(mailing: Mailing) -> str:
    version = mailing.letter.version_for("en")
    return version.subject if version else ""
