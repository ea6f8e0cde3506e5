"""Report selectors: plain functions the report pages, the board packet and the exports call.
The counting rules they share live in reports.ledger."""

from reports.selectors.donors import lybunt, pyramid, retention, sybunt, top_donors
from reports.selectors.over_time import giving_by_fiscal_year, giving_by_month
from reports.selectors.overview import overview
from reports.selectors.recurring import recurring
from reports.selectors.sources import by_appeal, by_campaign, by_channel, by_fund, by_method

__all__ = [
    "by_appeal",
    "by_campaign",
    "by_channel",
    "by_fund",
    "by_method",
    "giving_by_fiscal_year",
    "giving_by_month",
    "lybunt",
    "overview",
    "pyramid",
    "recurring",
    "retention",
    "sybunt",
    "top_donors",
]
