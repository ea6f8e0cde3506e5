"""Year-end statement runs: who gets a fiscal year's statement and how (email, post, or who
cannot be reached and why), and the send-once rule. Every statement that goes out is recorded
as a StatementSend; the unique key on (supporter, year, channel) for non-corrections is the
claim, so running a year twice (the screen, the command, two staff at once) never emails or
prints a donor twice. A correction is sent on purpose, one donor at a time, and recorded too.

What a statement lists and how it looks is donations.acknowledgements.statements' business; this
module only
decides who, when and whether again."""

import io
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from pypdf import PdfWriter

from core.outbox.queue import outbox_queue_email
from crm.models import Supporter
from donations.acknowledgements.statements import (
    StatementEntry,
    statement_email,
    statement_gifts,
    statement_pdf,
)
from donations.models import StatementSend

logger = logging.getLogger(__name__)
EMAIL, POST = StatementSend.Channel.EMAIL, StatementSend.Channel.POST


class StatementError(Exception):
    """A statement that cannot be sent as asked; the message says why, for staff."""


@dataclass
class StatementLine:
    """One donor's line on the statements screen."""

    supporter: Supporter
    gifts: list[StatementEntry]  # the statement's lines (donations.acknowledgements.statements)
    channel: str  # EMAIL, POST, or "" when the donor cannot be reached
    reason: str  # why not, when channel is ""
    sent: StatementSend | None = None  # the statement as first sent on this channel
    corrections: list[StatementSend] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        # What the statement's total says: money given net of the year's refunds; stock and
        # in-kind gifts are described, never valued.
        return sum((e.amount for e in self.gifts if e.is_cash), Decimal("0.00"))


@dataclass
class StatementPlan:
    fiscal_year: int
    lines: list[StatementLine]  # by postal code, as the print shop wants them

    def _on(self, channel: str) -> list[StatementLine]:
        return [line for line in self.lines if line.channel == channel]

    @property
    def to_email(self) -> list[StatementLine]:
        return self._on(EMAIL)

    @property
    def to_print(self) -> list[StatementLine]:
        return self._on(POST)

    @property
    def unreachable(self) -> list[StatementLine]:
        return self._on("")

    @property
    def emailed(self) -> int:
        return sum(1 for line in self.to_email if line.sent)

    @property
    def printed(self) -> int:
        return sum(1 for line in self.to_print if line.sent)


@dataclass
class EmailRun:
    sent: int = 0
    already_sent: int = 0
    failed: list[tuple[Supporter, str]] = field(default_factory=list)


def statement_route(supporter: Supporter) -> tuple[str, str]:
    """(channel, reason). A statement is a tax record, not an appeal: it is emailed even to a
    donor who opted out of appeal emails, and only deceased and do-not-contact donors, and those
    with neither an email nor a postal address they accept mail at, get none."""
    if supporter.deceased:
        return "", "deceased"
    if supporter.do_not_contact:
        return "", "do not contact"
    if supporter.email:
        return EMAIL, ""
    if supporter.do_not_mail:
        return "", "no email, do not mail"
    if not supporter.has_postal_address:
        return "", "no email, no address"
    return POST, ""


def statement_plan(*, fiscal_year: int, supporter_ids: list[int] | None = None) -> StatementPlan:
    """Every donor with a statement for the year, how it goes, and what already went."""
    by_donor = statement_gifts(fiscal_year=fiscal_year, supporter_ids=supporter_ids)
    sends: dict[int, list[StatementSend]] = {}
    for send in StatementSend.objects.filter(year=fiscal_year, supporter_id__in=list(by_donor))\
            .select_related("sent_by").order_by("sent_at", "pk"):  # fmt: skip
        sends.setdefault(send.supporter_id, []).append(send)
    lines = []
    for supporter in Supporter.objects.filter(pk__in=list(by_donor)).order_by("postal_code", "pk"):
        channel, reason = statement_route(supporter)
        done = sends.get(supporter.pk, [])
        lines.append(
            StatementLine(
                supporter=supporter,
                gifts=by_donor[supporter.pk],
                channel=channel,
                reason=reason,
                sent=next((s for s in done if s.channel == channel and not s.is_correction), None),
                corrections=[s for s in done if s.is_correction],
            )
        )
    return StatementPlan(fiscal_year=fiscal_year, lines=lines)


def statement_line(*, fiscal_year: int, supporter_id: int) -> StatementLine:
    lines = statement_plan(fiscal_year=fiscal_year, supporter_ids=[supporter_id]).lines
    if not lines:
        raise StatementError(
            f"Supporter #{supporter_id} gave nothing in fiscal year {fiscal_year}."
        )
    return lines[0]


def statements_email(*, fiscal_year: int, sent_by: AbstractBaseUser | None = None) -> EmailRun:
    """Email the year's statement to every donor reached by email who has not had it yet."""
    run = EmailRun()
    for line in statement_plan(fiscal_year=fiscal_year).to_email:
        if line.sent:
            run.already_sent += 1
            continue
        pdf = statement_pdf(supporter=line.supporter, gifts=line.gifts, fiscal_year=fiscal_year)
        message = statement_email(supporter=line.supporter, pdf=pdf, fiscal_year=fiscal_year)
        try:
            _record_and_send(line.supporter, fiscal_year, sent_by, message)
        except IntegrityError:
            run.already_sent += 1  # another run claimed this donor since the plan was read
        except Exception as error:  # one bad address must not stop the run
            logger.exception("statement email to supporter %s failed", line.supporter.pk)
            run.failed.append((line.supporter, str(error) or type(error).__name__))
        else:
            run.sent += 1
    return run


def _record_and_send(
    supporter: Supporter,
    fiscal_year: int,
    sent_by: AbstractBaseUser | None,
    message: EmailMultiAlternatives,
    *,
    note: str = "",
) -> StatementSend:
    # The record is the claim (on PostgreSQL a second run inserting the same key waits here
    # until this one commits, then fails with IntegrityError), and the email is queued in the
    # outbox in the same transaction: both or neither, and the outbox sends it exactly once.
    with transaction.atomic():
        record = StatementSend.objects.create(
            supporter=supporter,
            year=fiscal_year,
            channel=EMAIL,
            sent_by=_user(sent_by),
            is_correction=bool(note),
            note=note,
        )
        outbox_queue_email(message, kind="statement-correction" if note else "statement")
    return record


def statements_print(
    *, fiscal_year: int, sent_by: AbstractBaseUser | None = None, again: bool = False
) -> tuple[bytes | None, int]:
    """(pdf, count): one PDF of the statements to post, one per donor (each numbers its own
    pages), by postal code, and record them as printed. Those printed before are left out
    unless `again` (a jammed printer), and are then not recorded twice."""
    lines = [
        line for line in statement_plan(fiscal_year=fiscal_year).to_print if again or not line.sent
    ]
    if not lines:
        return None, 0
    writer = PdfWriter()
    for line in lines:
        pdf = statement_pdf(supporter=line.supporter, gifts=line.gifts, fiscal_year=fiscal_year)
        writer.append(io.BytesIO(pdf))
    out = io.BytesIO()
    writer.write(out)
    # One statement: the send-once unique key skips those printed before (a reprint).
    StatementSend.objects.bulk_create(
        [
            StatementSend(
                supporter=line.supporter, year=fiscal_year, channel=POST, sent_by=_user(sent_by)
            )
            for line in lines
        ],
        ignore_conflicts=True,
    )
    return out.getvalue(), len(lines)


def statement_correction_send(
    *, fiscal_year: int, supporter_id: int, sent_by: AbstractBaseUser | None, note: str
) -> tuple[StatementSend, bytes | None]:
    """Send one donor a corrected statement, on purpose, marked as a correction. Emailed when
    the donor is reached by email; otherwise the PDF is returned for the post. Only a statement
    already sent can be corrected: the year's run sends the first one."""
    note = " ".join(note.split())
    if not note:
        raise StatementError("Say what was corrected: the note is kept with the record.")
    line = statement_line(fiscal_year=fiscal_year, supporter_id=supporter_id)
    name = line.supporter.display_name
    if not line.channel:
        raise StatementError(f"{name} cannot be reached ({line.reason}).")
    if not line.sent:
        raise StatementError(
            f"No {fiscal_year} statement has gone to {name} yet; the year's run sends the first "
            "one. A correction replaces one already sent."
        )
    pdf = statement_pdf(
        supporter=line.supporter, gifts=line.gifts, fiscal_year=fiscal_year, correction=True
    )
    if line.channel == EMAIL:
        message = statement_email(
            supporter=line.supporter, pdf=pdf, fiscal_year=fiscal_year, correction=True
        )
        return _record_and_send(line.supporter, fiscal_year, sent_by, message, note=note), None
    record = StatementSend.objects.create(
        supporter=line.supporter,
        year=fiscal_year,
        channel=POST,
        sent_by=_user(sent_by),
        is_correction=True,
        note=note,
    )
    return record, pdf


def statement_preview(
    *, fiscal_year: int, supporter_id: int
) -> tuple[bytes, EmailMultiAlternatives]:
    """The donor's statement PDF and the email it would go with, nothing sent or recorded."""
    line = statement_line(fiscal_year=fiscal_year, supporter_id=supporter_id)
    pdf = statement_pdf(supporter=line.supporter, gifts=line.gifts, fiscal_year=fiscal_year)
    return pdf, statement_email(supporter=line.supporter, pdf=pdf, fiscal_year=fiscal_year)


def _user(user: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return user if getattr(user, "pk", None) else None


def statement_sends_merge(*, survivor_id: int, merged_id: int) -> int:
    """Before a merge moves the merged record's statement sends to the survivor: where both
    records were sent the same year's statement on the same channel, the send-once key allows
    one, so the earliest is kept (it is when that statement first went out) and the later is
    removed, with a note on the survivor saying what it was. Corrections are all kept. A send
    on another channel (one emailed, the other posted) is kept too: each really went out and
    each is what the send-once rule checks for its channel. Returns how many were removed."""
    sends = StatementSend.objects.select_for_update().filter(
        supporter_id__in=(survivor_id, merged_id), is_correction=False
    )
    first: dict[tuple[int, str], StatementSend] = {}
    later: list[StatementSend] = []
    for send in sends.order_by("sent_at", "pk"):
        key = (send.year, send.channel)
        if key in first:
            later.append(send)
        else:
            first[key] = send
    if not later:
        return 0
    from crm.models import Note

    Note.objects.create(
        supporter_id=survivor_id,
        text=f"Merged with supporter #{merged_id}: both records had been sent the same "
        "year-end statement; the first send is kept, and these later ones are no longer "
        "listed under statement sends: "
        + "; ".join(
            f"FY{s.year} by {s.get_channel_display().lower()} to #{s.supporter_id} on "
            f"{s.sent_at:%Y-%m-%d}"
            for s in later
        )
        + ".",
    )
    StatementSend.objects.filter(pk__in=[s.pk for s in later]).delete()
    return len(later)
