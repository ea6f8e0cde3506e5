"""Demo mailings for `seed_demo`: one email appeal sent three weeks ago, with what became of
it (delivered, opened, clicked, a bounce, an unsubscribe) and the gifts it brought; and the
sanctuary letter as an unsent draft, `demo-sanctuary-email`, ready for `send_mailing`.

The sent one is written as it would stand after sending (its outbox messages marked sent and
tracked), not sent: the demo must not email anyone."""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core import bulk
from core.models import OutboxMessage
from donations.models import Gift
from donations.services import GiftEntry, gifts_record
from mailings.audiences.models import Audience
from mailings.models import Letter, Mailing
from mailings.sending.composer import COMPOSER
from mailings.sending.models import Delivery, MailingLog
from mailings.sending.services import mailing_plan
from mailings.sending.subject_test import (
    SubjectTestRefused,
    subject_test_assign,
    subject_test_results,
    subject_test_winner,
)

S = OutboxMessage.Status
LATER = datetime.timedelta(hours=3)
REPLIES = datetime.timedelta(days=21)  # replies to a campaign keep coming after its end
SUBJECT_A = "Twenty years, and we are not stopping"
SUBJECT_B = "Will you stand with us for twenty more years?"


def demo_mailings_seed(*, seed: int) -> str:
    if Mailing.objects.filter(slug="demo-sanctuary-email").exists():
        return "Demo mailings: already there."
    anniversary = Letter.objects.filter(appeal_code="anniv26").first()
    sanctuary = Letter.objects.filter(appeal_code="sanct26").first()
    if anniversary is None or sanctuary is None:
        return "Demo mailings: skipped (no demo letters)."
    emailable = Audience.objects.create(
        name="Everyone who may be emailed",
        description="Supporters who have not opted out of email.",
        criteria={"email_consent": "not_opted_out"},
    )
    sent = Mailing.objects.create(
        name="Anniversary appeal (email)", slug="demo-anniversary-email", letter=anniversary,
        channel=Mailing.Channel.EMAIL, audience=emailable, cost=Decimal("150.00"),
        subject_b=SUBJECT_B, subject_b_es="¿Seguirá a nuestro lado otros veinte años?",
    )  # fmt: skip
    count, gifts = _as_sent(sent, random.Random(seed))  # noqa: S311 - demo data
    Mailing.objects.create(
        name="Sanctuary appeal (email)", slug="demo-sanctuary-email", letter=sanctuary,
        channel=Mailing.Channel.EMAIL, audience=emailable,
    )  # fmt: skip
    return (
        f"Demo mailings: demo-anniversary-email sent to {count} with {gifts} gifts back; "
        "demo-sanctuary-email ready to send."
    )


@transaction.atomic
def _as_sent(mailing: Mailing, rng: random.Random) -> tuple[int, int]:
    started = timezone.now() - datetime.timedelta(days=21)
    recipients = mailing_plan(mailing).email.recipients
    ids = bulk.reserve_ids(Delivery, len(recipients))
    # A subject test on a sample; the rest got the winner four hours later.
    try:
        variants = subject_test_assign(mailing, recipients)
    except SubjectTestRefused:  # a demo too small for a test: everyone got A
        variants = [""] * len(recipients)
        Mailing.objects.filter(pk=mailing.pk).update(subject_b="", subject_b_es="")
    bulk.insert_rows(
        Delivery,
        [
            {"id": pk, "mailing_id": mailing.pk, "supporter_id": sid, "channel": "email",
             "email": email, "subject_variant": variant, "created_at": started}
            for pk, (sid, email), variant in zip(ids, recipients, variants, strict=True)
        ],
    )  # fmt: skip
    rows = []
    seen = {"a": 0, "b": 0}
    for pk, (_sid, email), variant in zip(ids, recipients, variants, strict=True):
        at = started + datetime.timedelta(minutes=rng.randint(1, 30))
        roll = rng.random()
        bounced = roll < 0.02
        opened = not bounced and roll < 0.45
        if variant:  # the test's sample: 36% open A and 52% open B, by count, so B wins
            seen[variant] += 1
            opened = not bounced and seen[variant] % 25 < (9 if variant == "a" else 13)
        rows.append(
            {"kind": "appeal", "priority": OutboxMessage.Priority.BULK, "to_email": email,
             "from_email": "", "subject": SUBJECT_B if variant == "b" else SUBJECT_A,
             "composer": COMPOSER, "ref": pk, "status": S.SENT, "attempts": 1,
             "next_attempt_at": started, "claimed_at": started, "sent_at": at,
             "esp_message_id": f"demo-{pk}", "created_at": started,
             "delivered_at": None if bounced else at,
             "bounced_at": at if bounced else None,
             "opened_at": at + LATER if opened else None,
             "clicked_at": at + LATER if not bounced and roll < 0.12 else None,
             "unsubscribed_at": at + datetime.timedelta(days=1) if roll > 0.97 else None}
        )  # fmt: skip
    bulk.insert_rows(OutboxMessage, rows)
    if any(variants):
        _decided(mailing, started, variants.count(""))
    givers = rng.sample(recipients, k=max(1, len(recipients) // 20)) if recipients else []
    if givers:
        gifts_record(
            entries=[_reply(mailing, sid, rng, started) for sid, _ in givers],
            reason="Demo data",
        )
    Mailing.objects.filter(pk=mailing.pk).update(
        status=Mailing.Status.SENT,
        started_at=started,
        finished_at=started + datetime.timedelta(minutes=30),
        snapshot=mailing_plan(mailing).as_snapshot(),
    )
    sent_entry = MailingLog.objects.create(mailing=mailing, action="Sent (demo data)")
    MailingLog.objects.filter(pk=sent_entry.pk).update(at=started)  # when it was "sent"
    return len(recipients), len(givers)


def _reply(
    mailing: Mailing, supporter_id: int, rng: random.Random, sent: datetime.datetime
) -> GiftEntry:
    """A gift answering the appeal: counted to its letter's campaign while that runs."""
    amount = Decimal(rng.choice([25, 50, 50, 100, 100, 250, 500]))
    day = (sent + datetime.timedelta(days=rng.randint(1, 20))).date()
    campaign = mailing.letter.campaign
    running = (
        campaign is not None
        and campaign.starts_on <= day
        and (campaign.ends_on is None or day <= campaign.ends_on + REPLIES)
    )
    return GiftEntry(
        supporter=supporter_id,
        amount=amount,
        received_on=day,
        method=rng.choice([Gift.Method.CHEQUE, Gift.Method.CARD]),
        appeal_code=mailing.letter.appeal_code,
        campaign=campaign if running else None,
        details={"acknowledgement": Gift.Acknowledgement.THANKED},
    )


def _decided(mailing: Mailing, started: datetime.datetime, rest: int) -> None:
    """As subject_test_decide leaves it: the winner from the sample's opens, the rest with it."""
    winner, why = subject_test_winner(subject_test_results(mailing), mailing.test_metric)
    waiting = Delivery.objects.filter(mailing=mailing, channel="email", subject_variant="")
    OutboxMessage.objects.filter(composer=COMPOSER, ref__in=waiting.values("pk")).update(
        subject=SUBJECT_B if winner == "b" else SUBJECT_A
    )
    waiting.update(subject_variant=winner.upper())
    decided = started + datetime.timedelta(hours=mailing.test_hours)
    Mailing.objects.filter(pk=mailing.pk).update(test_winner=winner, test_decided_at=decided)
    entry = MailingLog.objects.create(
        mailing=mailing,
        action=f"Subject {winner.upper()} won ({why}); sent to the other {rest:,} (demo data)",
    )
    MailingLog.objects.filter(pk=entry.pk).update(at=decided)
