"""What a mailing did: its deliveries by channel, what became of its emails (from their outbox
messages and the ESP's tracking), and what it raised (gifts carrying its appeal code, from
personal links or codes staff typed, received since it was sent)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from core.models import OutboxMessage
from donations.models import Gift
from donations.summary import COUNTED
from mailings.models import Mailing
from mailings.sending.composer import COMPOSER, mailing_sender  # noqa: F401 - for the screens
from mailings.sending.models import Delivery
from mailings.sending.subject_test import subject_test_decide

S = OutboxMessage.Status
PENDING = (S.QUEUED, S.SENDING)


@dataclass(frozen=True)
class MailingResults:
    emails: int
    printed: int
    sent: int
    pending: int
    delivered: int
    opened: int
    clicked: int
    bounced: int
    complained: int
    unsubscribed: int
    unknown: int
    not_sent: int  # refused by the ESP, failed, or stopped (suppressed, opted out meanwhile)
    gifts: int
    donors: int
    raised: Decimal
    cost: Decimal | None
    awaiting_test: int = 0  # the rest of a subject test's recipients, waiting for its winner

    @property
    def recipients(self) -> int:
        return self.emails + self.printed

    @property
    def response_rate(self) -> float | None:
        return self.donors / self.recipients if self.recipients else None

    @property
    def average_gift(self) -> Decimal | None:
        return (self.raised / self.gifts).quantize(Decimal("0.01")) if self.gifts else None

    @property
    def cost_per_dollar(self) -> Decimal | None:
        if self.cost is None or not self.raised:
            return None
        return (self.cost / self.raised).quantize(Decimal("0.01"))

    @property
    def done(self) -> bool:
        return self.pending == 0 and self.awaiting_test == 0


def mailing_messages(mailing: Mailing):  # noqa: ANN201 - a QuerySet of OutboxMessage
    deliveries = Delivery.objects.filter(mailing=mailing, channel="email").values("pk")
    return OutboxMessage.objects.filter(composer=COMPOSER, ref__in=deliveries)


def mailing_results(mailing: Mailing) -> MailingResults:
    by_channel = dict(
        Delivery.objects.filter(mailing=mailing).values_list("channel").annotate(n=Count("pk"))
    )
    stamp = lambda name: Count("pk", filter=Q(**{f"{name}__isnull": False}))  # noqa: E731
    email = mailing_messages(mailing).aggregate(
        sent=Count("pk", filter=Q(status=S.SENT)),
        pending=Count("pk", filter=Q(status__in=PENDING)),
        unknown=Count("pk", filter=Q(status=S.UNKNOWN)),
        not_sent=Count("pk", filter=Q(status__in=[S.REJECTED, S.FAILED, S.CANCELLED])),
        delivered=stamp("delivered_at"),
        opened=stamp("opened_at"),
        clicked=stamp("clicked_at"),
        bounced=stamp("bounced_at"),
        complained=stamp("complained_at"),
        unsubscribed=stamp("unsubscribed_at"),
    )
    gifts = Gift.objects.none()
    code = mailing.letter.effective_appeal_code
    if code and mailing.started_at:
        gifts = Gift.objects.filter(
            appeal_code=code,
            status__in=COUNTED,
            received_on__gte=timezone.localtime(mailing.started_at).date(),
        )
    giving = gifts.aggregate(
        gifts=Count("pk"), donors=Count("supporter", distinct=True), raised=Sum("amount")
    )
    return MailingResults(
        emails=by_channel.get("email", 0),
        printed=by_channel.get("print", 0),
        **email,
        gifts=giving["gifts"],
        donors=giving["donors"],
        raised=giving["raised"] or Decimal("0"),
        cost=mailing.cost,
        awaiting_test=Delivery.objects.filter(
            mailing=mailing, channel="email", subject_variant=""
        ).count()
        if mailing.tests_subjects and not mailing.test_winner
        else 0,
    )


def mailing_status_refresh(mailing: Mailing) -> Mailing:
    """A mailing is sent once nothing of it waits in the outbox, nor for a subject test's
    winner (decided here too when its time has come and no worker has yet)."""
    if mailing.status == Mailing.Status.SENDING and mailing.tests_subjects:
        if not mailing.test_winner and not subject_test_decide(mailing_id=mailing.pk):
            return mailing
        mailing.refresh_from_db()
    if (
        mailing.status == Mailing.Status.SENDING
        and mailing.deliveries.exists()
        and not mailing_messages(mailing).filter(status__in=PENDING).exists()
    ):
        Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.SENDING).update(
            status=Mailing.Status.SENT, finished_at=timezone.now()
        )
        mailing.refresh_from_db()
    return mailing


def supporter_mailings(supporter_id: int) -> list[Delivery]:
    """The mailings a supporter got, newest first (their page lists them)."""
    return list(
        Delivery.objects.filter(supporter_id=supporter_id)
        .select_related("mailing")
        .order_by("-created_at")
    )
