"""The thank-you writer donations asks through its seam (donations.acknowledgements.writing):
the rule's letter, in the donor's language, filled with the donor's and the gift's merge
values, as an email (mailings.emails) or a printed letter (mailings.printing)."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils import translation

from core.models import Organisation
from donations.acknowledgements.facts import GiftFacts
from donations.acknowledgements.writing import Choice, WrittenEmail
from donations.models import Gift, RecurringGift
from donations.noncash import noncash_description
from donations.online.thanks import account_url
from mailings.emails.rendering import render_email
from mailings.letters.checks import letter_problems
from mailings.letters.merge_fields import Money, with_fallbacks
from mailings.letters.merge_values import recipients
from mailings.letters.rendering import CompiledVersion, compile_letter
from mailings.models import TEMPLATED_FIELDS, Letter
from mailings.printing.printed_letter import printed_letters_pdf
from mailings.thanks.choosing import rule_for, rules_in_force


def gift_values(gift: Gift, facts: GiftFacts, *, receipt_number: str) -> dict[str, Any]:
    """The gift's merge fields, in the active language (the letter's)."""
    language = translation.get_language()
    plan = gift.recurring if facts.monthly else None
    running = plan is not None and plan.status == RecurringGift.Status.ACTIVE
    return {
        # A stock or in-kind gift is thanked for what was given, never for a value.
        "gift_amount": None if gift.is_non_cash else Money(gift.net_amount),
        "gift_date": gift.received_on,
        "gift_description": noncash_description(gift) if gift.is_non_cash else "",
        "gift_fund": gift.fund.name_in(language) if gift.fund else "",
        "gift_campaign": gift.campaign.name_in(language) if gift.campaign else "",
        "tribute": f"{str(gift.get_tribute_display()).lower()} {gift.tribute_name}".strip()
        if gift.tribute
        else "",
        "receipt_number": receipt_number,
        "monthly_amount": Money(plan.amount) if plan else None,
        "first_of_plan": facts.first_of_plan,
        # Not while paused: the next charge is then not the plan's rhythm.
        "next_charge_date": plan.next_charge_on if running and plan.paused_until is None else None,
        "account_url": account_url(absolute=True) if plan else "",
    }


class ComposerWriter:
    """Registered by mailings' AppConfig.ready()."""

    def choose(self, gifts: Sequence[Gift], facts: Mapping[int, GiftFacts]) -> dict[int, Choice]:
        rules = rules_in_force()
        chosen = {}
        for gift in gifts:
            rule = rule_for(facts[gift.pk], rules)
            if rule is not None:
                chosen[gift.pk] = Choice(
                    letter_name=rule.letter.name,
                    rule=rule.get_condition_display(),
                    language=_language(rule.letter, gift),
                    letter_id=rule.letter_id,
                )
        return chosen

    def email(self, gift: Gift, facts: GiftFacts, *, receipt_number: str) -> WrittenEmail | None:
        filled = _filled(gift, facts, receipt_number)
        if filled is None:
            return None
        letter, compiled, values = filled
        email = render_email(compiled, values, organisation=Organisation.current())
        return WrittenEmail(
            subject=email.subject, text=email.text, html=email.html, letter_name=letter.name
        )

    def letter_pdf(self, gift: Gift, facts: GiftFacts, *, receipt_number: str) -> bytes | None:
        filled = _filled(gift, facts, receipt_number)
        if filled is None:
            return None
        letter, compiled, values = filled
        return printed_letters_pdf([(compiled, values, gift.supporter)], letter=letter)


# Each letter compiled (and its email skeleton built, CSS inlined) once per content: a queue
# sent in one go parses nothing per gift. Keyed by what the output depends on, so an edit to
# the letter or to the organization's letterhead is a new entry.
_COMPILED: dict[tuple, tuple[dict[str, CompiledVersion], list[str]]] = {}


def _compiled(
    letter: Letter, organisation: Organisation
) -> tuple[dict[str, CompiledVersion], list[str]]:
    versions = sorted(letter.versions.all(), key=lambda v: v.pk)
    key = (
        letter.pk,
        letter.updated_at,
        tuple((v.pk, v.language, *(getattr(v, f) for f in TEMPLATED_FIELDS)) for v in versions),
        tuple(
            letter.lettersignatory_set.values_list(
                "position", "signatory__name", "signatory__title", "signatory__title_es",
                "signatory__signature",
            )
        ),  # fmt: skip
        (organisation.name, organisation.address, organisation.website, str(organisation.logo),
         organisation.phone),
    )  # fmt: skip
    if key not in _COMPILED:
        if len(_COMPILED) > 64:
            _COMPILED.clear()
        _COMPILED[key] = (compile_letter(letter), letter_problems(letter))
    return _COMPILED[key]


def _language(letter: Letter, gift: Gift) -> str:
    languages = {version.language for version in letter.versions.all()}
    wanted = gift.supporter.preferred_language
    return wanted if wanted in languages else "en"


def _filled(gift: Gift, facts: GiftFacts, receipt_number: str) -> tuple | None:
    """The rule's letter compiled in the donor's language, and every merge value."""
    rule = rule_for(facts, rules_in_force())
    if rule is None:
        return None
    letter = rule.letter
    organisation = Organisation.current()
    versions, problems = _compiled(letter, organisation)
    # A letter the merge checks refuse (saved outside the composer) never goes out: the
    # built-in wording thanks the donor instead.
    if not versions or problems:
        return None
    (recipient,) = recipients(letter, [gift.supporter], organisation=organisation)
    compiled = (
        versions.get(recipient.language) or versions.get("en") or next(iter(versions.values()))
    )
    with translation.override(compiled.language):
        gift_part = gift_values(gift, facts, receipt_number=receipt_number)
        # Transactional, not an appeal: no unsubscribe link, no personal donate link.
        values = with_fallbacks(
            {**recipient.values, **gift_part, "unsubscribe_url": "", "preferences_url": ""}
        )
    return letter, compiled, values
