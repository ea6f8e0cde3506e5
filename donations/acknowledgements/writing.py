"""Who writes a gift's thank-you: a seam, like core.recompute.

donations decides when a gift is thanked, issues its receipt and queues the email; the words
are letters staff write in the composer, chosen by the thank-you rules, both in mailings
(mailings.thanks). mailings sits above donations (reports -> mailings -> donations), so it
registers its writer here in its AppConfig.ready() and donations never imports it. With no
writer registered, or no rule for a gift, the built-in wording is used
(templates/emails/thank-you-*, templates/donations/thanks_letters.html), so no gift is ever
left without its thank-you.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from donations.acknowledgements.facts import GiftFacts
from donations.models import Gift

BUILT_IN = "Built-in wording (no rule applies)"


@dataclass(frozen=True)
class Choice:
    """What the queue shows of a gift's thank-you: the letter and the rule that chose it."""

    letter_name: str
    rule: str
    language: str
    letter_id: int | None = None


@dataclass(frozen=True)
class WrittenEmail:
    subject: str
    text: str
    html: str
    letter_name: str


class Writer(Protocol):
    def choose(
        self, gifts: Sequence[Gift], facts: Mapping[int, GiftFacts]
    ) -> dict[int, Choice]: ...

    def email(
        self, gift: Gift, facts: GiftFacts, *, receipt_number: str
    ) -> WrittenEmail | None: ...

    def letter_pdf(self, gift: Gift, facts: GiftFacts, *, receipt_number: str) -> bytes | None: ...


_writers: list[Writer] = []


def writer_register(writer: Writer) -> None:
    """One writer: ready() may run twice (tests, reloads), the last one registered wins."""
    _writers[:] = [writer]


def thank_you_writer() -> Writer | None:
    return _writers[0] if _writers else None
