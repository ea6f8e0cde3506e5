"""The few reference rows every Stripe event reads (campaigns by appeal code, funds, the
organisation's fiscal year start), remembered for a minute in each process.

They change a few times a year, and reading them cost the webhook three queries per event.
A save or delete in this process forgets them at once; other processes see a change within
TTL_SECONDS. A campaign deleted meanwhile can only make an event fail on its foreign key and
be retried by Stripe, never attribute a gift wrongly.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models.signals import post_delete, post_save

from core.models import Organisation
from donations.models import Campaign, Fund

TTL_SECONDS = 60
T = TypeVar("T")
_remembered: dict[str, tuple[float, Any]] = {}


@dataclass(frozen=True)
class CampaignRef:
    id: int
    code: str
    fund_id: int | None


def _remember(key: str, load: Callable[[], T]) -> T:
    now = time.monotonic()
    hit = _remembered.get(key)
    if hit is not None and now - hit[0] < TTL_SECONDS:
        return hit[1]
    value = load()
    _remembered[key] = (now, value)
    return value


def forget() -> None:
    _remembered.clear()


def campaigns() -> dict[str, CampaignRef]:
    """Every campaign by appeal code."""
    return _remember(
        "campaigns",
        lambda: {
            code: CampaignRef(pk, code, fund_id)
            for pk, code, fund_id in Campaign.objects.values_list("pk", "code", "fund_id")
        },
    )


def campaign_code(campaign_id: int | None) -> str:
    if campaign_id is None:
        return ""
    return next((c.code for c in campaigns().values() if c.id == campaign_id), "")


def fund_ids() -> dict[str, int]:
    """Fund ids by code, with the default fund under the key ''."""

    def load() -> dict[str, int]:
        rows = Fund.objects.values_list("pk", "code", "is_default").order_by("-is_default", "pk")
        by_code = {code: pk for pk, code, _ in rows}
        default = next((pk for pk, _, is_default in rows if is_default), None)
        return by_code | ({"": default} if default is not None else {})

    return _remember("funds", load)


def fiscal_year_start_month() -> int:
    return _remember("fiscal", lambda: Organisation.current().fiscal_year_start_month)


def _forget_on_change(sender: Any, **kwargs: Any) -> None:
    forget()


for _model in (Campaign, Fund, Organisation):
    post_save.connect(_forget_on_change, sender=_model, dispatch_uid=f"reference.{_model.__name__}")
    post_delete.connect(
        _forget_on_change, sender=_model, dispatch_uid=f"reference.del.{_model.__name__}"
    )
