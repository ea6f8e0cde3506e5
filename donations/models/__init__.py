"""The donations app's models, one module per part of the ledger (Zulip's models package):
the ledger itself, the Stripe inbox, donor summaries, acknowledgements and payouts. Everything
is re-exported here, so `from donations.models import Gift` keeps working."""

from donations.models.account import AccountLink
from donations.models.acknowledgements import Receipt, ReceiptCounter, StatementSend
from donations.models.inbox import CheckoutThrottleEvent, StripeEvent
from donations.models.ledger import (
    NON_CASH_METHODS,
    ZERO,
    Campaign,
    Fund,
    Gift,
    Refund,
    VoidedStripeRefund,
)
from donations.models.payment_failures import PaymentFailure
from donations.models.payouts import Payout, PayoutLine
from donations.models.recurring import RecurringGift
from donations.models.summaries import DonorSummary, DonorYearTotal, GivingDay

__all__ = [
    "AccountLink",
    "NON_CASH_METHODS",
    "ZERO",
    "Campaign",
    "CheckoutThrottleEvent",
    "DonorSummary",
    "DonorYearTotal",
    "Fund",
    "Gift",
    "GivingDay",
    "PaymentFailure",
    "Payout",
    "PayoutLine",
    "Receipt",
    "ReceiptCounter",
    "RecurringGift",
    "Refund",
    "StatementSend",
    "StripeEvent",
    "VoidedStripeRefund",
]
