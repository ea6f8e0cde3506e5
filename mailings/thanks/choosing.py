"""Which rule, and so which letter, thanks a gift: the first active rule, in the staff's order,
whose condition the gift's facts meet."""

from collections.abc import Callable, Sequence

from donations.acknowledgements.facts import GiftFacts
from mailings.thanks.models import ThankYouRule

Condition = ThankYouRule.Condition
MEETS: dict[str, Callable[[GiftFacts], bool]] = {
    Condition.FIRST_GIFT: lambda facts: facts.first_gift,
    Condition.MONTHLY: lambda facts: facts.monthly,
    Condition.LARGE_GIFT: lambda facts: facts.large,
    Condition.TRIBUTE: lambda facts: facts.tribute,
    Condition.NON_CASH: lambda facts: facts.non_cash,
    Condition.ANY: lambda facts: True,
}


def rules_in_force() -> list[ThankYouRule]:
    """The active rules in order, the default ones set up first if there are none at all."""
    from mailings.thanks.defaults import thank_you_defaults_ensure

    thank_you_defaults_ensure()
    return list(
        ThankYouRule.objects.filter(active=True)
        .select_related("letter")
        .prefetch_related("letter__versions")
    )


def rule_for(facts: GiftFacts, rules: Sequence[ThankYouRule]) -> ThankYouRule | None:
    return next((rule for rule in rules if rule.active and MEETS[rule.condition](facts)), None)
