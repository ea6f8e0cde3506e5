"""Who is in an audience, and whom of them a send by email or by post would reach.

An audience is worked out afresh each time: its criteria become one WHERE clause over
supporters (giving from the ledger's summaries, tags and gifts as EXISTS subqueries), so a
count, a preview page or a send is one SQL query however many supporters there are. Nested
audiences are folded into the same clause. Merged-away supporters are gone from the table
(crm.services.supporters_merge deletes them), so they never appear.
"""

import calendar
import datetime
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from core.models import Organisation, Suppression
from crm.models import Household, Supporter
from donations import reference
from donations.models import DonorSummary, DonorYearTotal, Gift
from donations.summary import COUNTED
from mailings.audiences.criteria import as_decimal
from mailings.audiences.household import address_key
from mailings.audiences.models import Audience

EVERYONE = Q(pk__isnull=False)  # an explicit 'true': an empty Q() vanishes inside | and ~


class AudienceError(Exception):
    """A saved audience that cannot be worked out (it names a deleted audience, or a loop)."""


@dataclass
class _Context:
    today: datetime.date
    fiscal_year: int
    _audiences: dict[int, Audience] | None = field(default=None)

    def audience(self, pk: int) -> Audience:
        if self._audiences is None:  # one query, only for audiences that nest others
            self._audiences = Audience.objects.only("pk", "name", "criteria").in_bulk()
        found = self._audiences.get(pk)
        if found is None:
            raise AudienceError(f"It uses audience #{pk}, which was deleted. Edit its criteria.")
        return found


def _context(today: datetime.date | None = None) -> _Context:
    today = today or timezone.localdate()
    organisation = Organisation(fiscal_year_start_month=reference.fiscal_year_start_month())
    return _Context(today=today, fiscal_year=organisation.fiscal_year_of(today))


def audience_supporters(
    audience: Audience, *, today: datetime.date | None = None
) -> QuerySet[Supporter]:
    """Everyone the audience's criteria pick today. The audience may be unsaved (the editor
    previews criteria before they are saved); its pk, if any, guards against loops."""
    stack = (audience.pk,) if audience.pk else ()
    return Supporter.objects.filter(_criteria_q(audience.criteria, _context(today), stack))


def _criteria_q(criteria: dict[str, Any], ctx: _Context, stack: tuple[int, ...]) -> Q:
    c = criteria or {}
    parts = [*_tag_parts(c), *_person_parts(c), *_giving_parts(c, ctx)]
    if c.get("gave_from") or c.get("gave_to"):
        gifts = Gift.objects.filter(supporter_id=OuterRef("pk"), status__in=COUNTED)
        if c.get("gave_from"):
            gifts = gifts.filter(received_on__gte=datetime.date.fromisoformat(c["gave_from"]))
        if c.get("gave_to"):
            gifts = gifts.filter(received_on__lte=datetime.date.fromisoformat(c["gave_to"]))
        parts.append(Q(Exists(gifts)))
    for name, negate in (("include_audiences", False), ("exclude_audiences", True)):
        if c.get(name):
            nested = reduce(or_, (_nested_q(pk, ctx, stack) for pk in c[name]))
            parts.append(~nested if negate else nested)
    # EVERYONE only when nothing narrows: inside NOT it would turn an anti-join into a
    # per-row subplan on PostgreSQL.
    return reduce(lambda a, b: a & b, parts) if parts else EVERYONE


def _nested_q(pk: int, ctx: _Context, stack: tuple[int, ...]) -> Q:
    if pk in stack:
        names = " → ".join(ctx.audience(p).name for p in (*stack, pk))
        raise AudienceError(f"Its audiences make a loop: {names}.")
    audience = ctx.audience(pk)
    return _criteria_q(audience.criteria, ctx, (*stack, pk))


def _tag_parts(c: dict[str, Any]) -> list[Q]:
    through = Supporter.tags.through.objects

    def tagged(ids: list[int]) -> Exists:
        return Exists(through.filter(supporter_id=OuterRef("pk"), tag_id__in=ids))

    parts = []
    if c.get("tags_any"):
        parts.append(Q(tagged(c["tags_any"])))
    parts += [Q(tagged([pk])) for pk in c.get("tags_all") or []]
    if c.get("tags_none"):
        parts.append(~Q(tagged(c["tags_none"])))
    return parts


def _person_parts(c: dict[str, Any]) -> list[Q]:
    parts = []
    if c.get("language"):
        parts.append(Q(preferred_language=c["language"]))
    if c.get("email_consent") == "opted_in":
        parts.append(Q(email_opt_in=Supporter.EmailOptIn.OPTED_IN))
    elif c.get("email_consent") == "not_opted_out":
        parts.append(~Q(email_opt_in=Supporter.EmailOptIn.OPTED_OUT))
    if c.get("country"):
        parts.append(Q(country__iexact=c["country"]))
    if c.get("regions"):
        parts.append(reduce(or_, (Q(region__iexact=r) for r in c["regions"])))
    if c.get("city"):
        parts.append(Q(city__iexact=c["city"]))
    if c.get("zip_prefix"):
        parts.append(Q(postal_code__istartswith=c["zip_prefix"]))
    return parts


def _giving_parts(c: dict[str, Any], ctx: _Context) -> list[Q]:
    """Giving from the summaries: one EXISTS on the donor's summary row holds every
    condition on it, and the fiscal-year rows answer LYBUNT and SYBUNT."""
    summary: dict[str, Any] = {}
    for key, lookup in (
        ("highest_min", "highest_gift__gte"),
        ("highest_max", "highest_gift__lt"),
        ("lifetime_min", "lifetime_total__gte"),
        ("lifetime_max", "lifetime_total__lt"),
    ):
        if c.get(key) not in (None, ""):
            summary[lookup] = as_decimal(c[key])
    if c.get("first_time"):
        summary["gift_count"] = 1
    if c.get("has_plan"):
        summary["has_active_plan"] = True
    if c.get("lapsed_months"):
        summary["last_gift_on__lt"] = _months_before(ctx.today, int(c["lapsed_months"]))
    parts = []
    if summary:
        summaries = DonorSummary.objects.filter(supporter_id=OuterRef("pk"))
        if "has_active_plan" not in summary or len(summary) > 1:
            summaries = summaries.filter(gift_count__gt=0)
        parts.append(Q(Exists(summaries.filter(**summary))))
    if c.get("never_gave"):
        parts.append(
            ~Q(Exists(DonorSummary.objects.filter(supporter_id=OuterRef("pk"), gift_count__gt=0)))
        )

    def gave(**year: Any) -> Q:
        years = DonorYearTotal.objects.filter(supporter_id=OuterRef("pk"), total__gt=0, **year)
        return Q(Exists(years))

    if c.get("lybunt"):
        parts.append(gave(fiscal_year=ctx.fiscal_year - 1))
    if c.get("sybunt"):
        parts.append(gave(fiscal_year__lt=ctx.fiscal_year))
    if c.get("lybunt") or c.get("sybunt"):
        parts.append(~gave(fiscal_year=ctx.fiscal_year))
    return parts


def _months_before(day: datetime.date, months: int) -> datetime.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last_day))


# --- Before a send: who would be left out, and why --------------------------------------


def suppressed_emails() -> QuerySet:
    """The suppression list's address hashes that stop appeals (every scope: a hard bounce
    or a complaint stops all email, an unsubscribe stops appeals), as a flat queryset."""
    return Suppression.objects.values_list("email_hash", flat=True)


REASONS = {
    # channel -> (reason, label) in the order they are tried: each supporter is counted under
    # the first that applies. Lasting facts about the person come first, then the channel's
    # own refusals, then what the address lacks, and duplicates last, so that a duplicate
    # is only ever a copy of someone who would really be sent to.
    "email": (
        ("deceased", "Deceased"),
        ("do_not_contact", "Do not contact"),
        ("do_not_email", "Do not email, or opted out"),
        ("no_email", "No email address"),
        ("suppressed", "Suppressed address"),
        ("same_email", "Same email twice"),
    ),
    "print": (
        ("deceased", "Deceased"),
        ("do_not_contact", "Do not contact"),
        ("do_not_mail", "Do not mail"),
        ("no_address", "No usable postal address"),
        ("same_household", "Same household address"),  # people in no household
    ),
}
SENT = "send"


def _refusals(channel: str) -> list[tuple[str, Q]]:
    """Every reason but the duplicate one, as conditions on a supporter row."""
    common = [("deceased", Q(deceased=True)), ("do_not_contact", Q(do_not_contact=True))]
    if channel == "email":
        return [
            *common,
            ("do_not_email", Q(do_not_email=True) | Q(email_opt_in=Supporter.EmailOptIn.OPTED_OUT)),
            ("no_email", Q(email="")),
            ("suppressed", Q(email_hash__in=suppressed_emails())),
        ]
    no_address = Q(address_line1="") | Q(city="") | Q(postal_code="") | Q(country="")
    return [*common, ("do_not_mail", Q(do_not_mail=True)), ("no_address", no_address)]


@dataclass(frozen=True)
class Exclusions:
    channel: str
    audience_count: int
    excluded: dict[str, int]  # by reason, in REASONS order, zeros included
    recipients: QuerySet  # the supporters a send would reach, one per email / household
    # Print: recipients whose household's letter goes to another member (one letter for
    # several: mailings.printing.households); letters = recipient_count - sharing.
    sharing: int = 0

    @property
    def recipient_count(self) -> int:
        return self.audience_count - sum(self.excluded.values())

    def as_rows(self) -> list[dict[str, Any]]:
        labels = dict(REASONS[self.channel])
        return [{"reason": r, "label": labels[r], "count": n} for r, n in self.excluded.items()]


def audience_exclusions(
    audience: Audience, channel: str, *, today: datetime.date | None = None
) -> Exclusions:
    """Whom a send to `audience` by `channel` ("email" or "print") leaves out, by reason, and
    who is left. One query for the counts; the recipients queryset is lazy.

    Of several people with one email key (crm.matching.email_key: case, '+tags' and Gmail dots
    ignored), or one household address, the earliest record is kept. Members of a household
    (crm.models.households) are all kept for print: the print run folds them into one letter
    (mailings.printing.households), and each member's delivery records that they got it."""
    if channel not in REASONS:
        raise ValueError(f"Unknown channel {channel!r}: use 'email' or 'print'.")
    members = audience_supporters(audience, today=today)
    refusals = _refusals(channel)
    eligible = members.exclude(reduce(or_, (q for _, q in refusals)))
    # The record kept for each email key or household: the earliest eligible one. An
    # uncorrelated IN (SELECT min(id) ... GROUP BY key) runs once, as a hashed set; a
    # correlated EXISTS per row was quadratic on PostgreSQL for the computed address.
    # Households change print's folding; with none on file the query is as it was before.
    households = channel == "print" and Household.objects.exists()
    key = F("match_email") if channel == "email" else _print_key(households)
    kept = (
        eligible.order_by().annotate(dedupe_key=key).values("dedupe_key").annotate(first=Min("pk"))
    )
    duplicate_reason = "same_email" if channel == "email" else "same_household"
    duplicate = ~Q(pk__in=kept.values("first"))
    aggregates: dict[str, Any] = {"n": Count("pk")}
    if households:
        # Someone in no household, at the door of a household member who gets a letter: that
        # letter reaches the door (one letter per address, as before households). The postal
        # key narrows before the address is worked out.
        homes = eligible.filter(household__isnull=False).order_by().annotate(home=address_key())
        members = members.annotate(home=address_key())
        # Hashed subplans inside the CASE (never a join the planner could misjudge); the
        # postal key, compared first, spares working out most addresses.
        duplicate |= Q(household__isnull=True) & (
            Q(match_postal__in=homes.values("match_postal")) & Q(home__in=homes.values("home"))
        )
        # A household's members beyond one share its letter: counted in the same query.
        aggregates["members"] = Count("pk", filter=Q(household__isnull=False))
        aggregates["homes"] = Count("household", distinct=True)
    reason = Case(
        *(When(q, then=Value(name)) for name, q in refusals),
        When(duplicate, then=Value(duplicate_reason)),
        default=Value(SENT),
    )
    annotated = members.annotate(send_reason=reason)
    rows = {
        row["send_reason"]: row
        for row in annotated.order_by().values("send_reason").annotate(**aggregates)
    }
    counts = {name: row["n"] for name, row in rows.items()}
    sent = rows.get(SENT, {})
    excluded = {name: counts.get(name, 0) for name, _ in REASONS[channel]}
    return Exclusions(
        channel=channel,
        audience_count=sum(counts.values()),
        excluded=excluded,
        recipients=annotated.filter(send_reason=SENT),
        sharing=sent.get("members", 0) - sent.get("homes", 0),
    )


def _print_key(households: bool) -> Func:
    """The address, or for a household member their own id: never a duplicate."""
    if not households:
        return address_key()
    own = Concat(Value("member:"), Cast("pk", CharField()), output_field=CharField())
    return Case(When(household__isnull=False, then=own), default=address_key())


def audience_preview(audience: Audience, *, limit: int = 25) -> list[dict[str, Any]]:
    """The first people in the audience (alphabetically), with their city and last gift."""
    people = audience_supporters(audience).select_related("giving")[:limit]
    rows = []
    for person in people:
        giving = getattr(person, "giving", None)
        rows.append(
            {
                "id": person.pk,
                "name": str(person),
                "place": ", ".join(p for p in (person.city, person.region) if p),
                "last_gift_on": giving.last_gift_on if giving else None,
                "last_gift_amount": giving.last_gift_amount if giving else None,
                "url": person.get_absolute_url(),
            }
        )
    return rows
