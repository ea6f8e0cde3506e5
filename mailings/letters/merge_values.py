"""The merge values of each recipient of a letter: plain values only (strings, dates, Money),
read for a whole batch of supporters with one query per table."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core import signing
from django.utils import timezone, translation

from core.models import Organisation
from crm import greetings
from crm.models import Household, Supporter
from donations.models import DonorSummary, DonorYearTotal
from donations.online.tokens import make_donate_token
from donations.summary import given_in_year
from mailings.letters.asks import ask_ladder, parse_amounts
from mailings.letters.merge_fields import Money, sample_values, with_fallbacks
from mailings.models import Letter

UNSUBSCRIBE_SALT = "mailings.unsubscribe"


@dataclass(frozen=True)
class Recipient:
    supporter: Supporter
    language: str
    values: dict[str, Any]
    asks: tuple[Decimal, ...]


def unsubscribe_token(supporter_id: int, message_id: int | None = None) -> str:
    """Never expires: an old email's unsubscribe link must still work (RFC 8058). A mailing's
    email also names its outbox message, so the mailing's results count the unsubscribe."""
    value = supporter_id if message_id is None else [supporter_id, message_id]
    return signing.dumps(value, salt=UNSUBSCRIBE_SALT)


@dataclass(frozen=True)
class UnsubscribeLink:
    supporter_id: int
    message_id: int | None = None  # the appeal email the link came in, when it names one


def read_unsubscribe_token(token: str) -> UnsubscribeLink | None:
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if isinstance(value, int):
        return UnsubscribeLink(value)
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return UnsubscribeLink(*value)
    return None


def unsubscribe_url(supporter_id: int, message_id: int | None = None) -> str:
    return f"{settings.SITE_URL}/u/{unsubscribe_token(supporter_id, message_id)}/"


# A test email (the composer's "send me a test") carries this in place of the previewed
# supporter's token: its link and List-Unsubscribe header open a page that says it was a test.
_TEST = "test"


def harmless_unsubscribe_url() -> str:
    return f"{settings.SITE_URL}/u/{signing.dumps(_TEST, salt=UNSUBSCRIBE_SALT)}/"


def is_test_unsubscribe_token(token: str) -> bool:
    try:
        return signing.loads(token, salt=UNSUBSCRIBE_SALT) == _TEST
    except signing.BadSignature:
        return False


def with_test_links(values: dict[str, Any]) -> dict[str, Any]:
    """A recipient's values for a test or a preview: links that unsubscribe no one, and a
    donate link that fills in no one's name (the previewed supporter's signed token dropped;
    the appeal code kept, so the link still credits the appeal)."""
    url = harmless_unsubscribe_url()
    donate = values.get("donate_url", "")
    if donate:
        parts = urlsplit(donate)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "t"]
        donate = urlunsplit(parts._replace(query=urlencode(query)))
    return {**values, "unsubscribe_url": url, "preferences_url": url, "donate_url": donate}


def recipients(
    letter: Letter,
    supporters: Iterable[Supporter],
    *,
    today: datetime.date | None = None,
    organisation: Organisation | None = None,
) -> list[Recipient]:
    """Each supporter's merge values. A print run passes the organisation it read once for
    the run; otherwise it is read here."""
    supporters = list(supporters)
    ids = [s.pk for s in supporters]
    today = today or timezone.localdate()
    organisation = organisation or Organisation.current()
    this_year = organisation.fiscal_year_of(today)
    summaries = {s.supporter_id: s for s in DonorSummary.objects.filter(supporter_id__in=ids)}
    years: dict[tuple[int, int], Decimal] = {
        (sid, year): total
        for sid, year, total in DonorYearTotal.objects.filter(
            supporter_id__in=ids, fiscal_year__in=(this_year, this_year - 1)
        ).values_list("supporter_id", "fiscal_year", "total")
    }
    multipliers = parse_amounts(letter.ask_multipliers, count=3)
    default_asks = parse_amounts(letter.default_asks, count=3)
    appeal = letter.effective_appeal_code
    languages = set(letter.versions.values_list("language", flat=True))
    homes = _households(supporters)
    result = []
    for supporter in supporters:
        summary = summaries.get(supporter.pk)
        base = None
        if summary is not None:
            use_last = letter.ask_base == Letter.AskBase.LAST
            base = summary.last_gift_amount if use_last else summary.highest_gift
        asks = ask_ladder(
            base=base, multipliers=multipliers, floor=letter.ask_floor, default=default_asks
        )
        language = (
            supporter.preferred_language if supporter.preferred_language in languages else "en"
        )
        salutation = _salutation(supporter)
        values = {
            "salutation": greetings.in_language(salutation, language),
            "dear": _dear(supporter, salutation, language),
            "first_name": supporter.first_name,
            "last_name": supporter.last_name,
            "full_name": supporter.display_name,
            "addressee": greetings.in_language(supporter.effective_addressee, language),
            "address_block": "\n".join([supporter.effective_addressee, *supporter.address_lines]),
            "last_gift_amount": _money(summary.last_gift_amount if summary else None),
            "last_gift_date": summary.last_gift_on if summary else None,
            "highest_gift": _money(summary.highest_gift if summary else None),
            "lifetime_total": _money(summary.lifetime_total if summary else None),
            "this_year_total": _money(given_in_year(years.get((supporter.pk, this_year)))),
            "last_year_total": _money(given_in_year(years.get((supporter.pk, this_year - 1)))),
            "ask_amount": Money(asks[0]),
            "ask_1": Money(asks[0]),
            "ask_2": Money(asks[1]),
            "ask_3": Money(asks[2]),
            "donate_url": donate_url(supporter.pk, appeal, asks),
            "unsubscribe_url": (unsubscribe := unsubscribe_url(supporter.pk)),
            "preferences_url": unsubscribe,
            "organisation_name": organisation.name,
            "today": today,
            # Households (crm.models.households); a household's print letter sets its own.
            **_household(supporter, salutation, language, homes),
        }
        with translation.override(language):
            result.append(Recipient(supporter, language, with_fallbacks(values), asks))
    return result


def donate_url(supporter_id: int, appeal_code: str, asks: tuple[Decimal, ...]) -> str:
    """The personal donate link: a signed, expiring token (supporter, appeal, asks), and the
    appeal code in the clear so it survives even when the token has expired."""
    query = {"t": make_donate_token(supporter_id, appeal_code, asks)}
    if appeal_code:
        query["appeal"] = appeal_code
    return f"{settings.SITE_URL}/donate/?{urlencode(query)}"


def sample_recipient_values(letter: Letter) -> dict[str, Any]:
    """For previews with sample values: the allow-list's samples, with this letter's default
    ladder and organisation."""
    values = sample_values()
    values["organisation_name"] = Organisation.current().name
    values["today"] = timezone.localdate()
    values["gift_description"] = ""  # a sample thank-you thanks for money, not for stock
    return with_fallbacks(values)


def _salutation(supporter: Supporter) -> str:
    """The greeting engine's 'Friend' for someone with no name gives way to the letter's own
    fallback, which speaks the recipient's language ('Dear friend', 'Estimado/a amigo/a')."""
    salutation = supporter.effective_salutation
    if not supporter.salutation and salutation in ("Friend", "Friends"):
        return ""
    return salutation


def _households(supporters: list[Supporter]) -> dict[int, Household]:
    """The households of these supporters, with their members, in two queries (none when no
    one is in a household)."""
    ids = {s.household_id for s in supporters if s.household_id is not None}
    if not ids:
        return {}
    return Household.objects.prefetch_related("members").in_bulk(ids)


def _household(
    supporter: Supporter, salutation: str, language: str, homes: dict[int, Household]
) -> dict[str, str]:
    """Their household's greeting and name, or their own when in none."""
    household = homes.get(supporter.household_id) if supporter.household_id else None
    if household is None:
        own = greetings.in_language(salutation, language)
        return {"household_greeting": own, "household_name": supporter.display_name}
    greeting = greetings.in_language(household.effective_greeting, language)
    return {"household_greeting": greeting, "household_name": household.name_in(language)}


def _dear(supporter: Supporter, salutation: str, language: str) -> str:
    if language != "es":
        return "Dear"
    if not salutation:
        return "Estimado/a"  # before the fallback 'amigo/a'
    return greetings.spanish_dear(supporter.greeting_parts())


def _money(amount: Decimal | None) -> Money | None:
    return Money(amount) if amount else None
