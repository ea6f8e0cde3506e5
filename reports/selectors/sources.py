"""Where the money came from in a period: by appeal code, campaign, fund, method and channel.

Counting rules are reports.ledger's (reports.grouped.giving_grouped: two grouped queries per
breakdown, plus two small ones over mailings for appeals). A refund falls in its gift's group
on its own date.

Mailing results follow mailings.sending.selectors.mailing_results: a mailing belongs to the
appeal code of its letter (the letter's code, else its campaign's); its recipients are its
deliveries (one per supporter and channel); response rate is donors / recipients; cost per
dollar raised is the mailings' cost over the counted gifts' total. Here the mailings are those
STARTED IN THE PERIOD (a fiscal-year report shows that year's mailings), and the gifts are the
appeal code's counted gifts received in the period, wherever the code came from (a letter's
link, a code typed from a reply slip).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, CharField, Count, F, Q, Sum, Value, When

from donations.models import Campaign, Fund, Gift
from mailings.models import Mailing
from mailings.sending.models import Delivery
from reports import grouped
from reports.grouped import Giving
from reports.ledger import Period

# Channel rule. Online: the gift has any Stripe id (checkout session, payment intent, charge
# or invoice), i.e. it was paid through the donate page, a monthly plan or another Stripe
# payment. Mail: a cheque (one paid through Stripe would be online, but none is). Other:
# everything else - cash, bank transfers, stock, in kind, and cards staff keyed in without a
# Stripe id. The method alone would call a staff-keyed card 'online' and cannot see a Stripe
# bank debit, so the Stripe id decides first.
ONLINE, MAIL, OTHER = "online", "mail", "other"
STRIPE_IDS = (
    "stripe_checkout_session_id",
    "stripe_payment_intent_id",
    "stripe_charge_id",
    "stripe_invoice_id",
)


@dataclass(frozen=True)
class SourceRow:
    key: object
    label: str
    giving: Giving
    recipients: int | None = None  # appeals and campaigns: deliveries of their mailings
    cost: Decimal | None = None  # what those mailings cost, when staff recorded it

    @property
    def response_rate(self) -> Decimal | None:
        """Percent of recipients who gave (one decimal)."""
        if not self.recipients:
            return None
        return (Decimal(self.giving.donors) * 100 / self.recipients).quantize(Decimal("0.1"))

    @property
    def cost_per_dollar(self) -> Decimal | None:
        if self.cost is None or not self.giving.counted_total:
            return None
        return (self.cost / self.giving.counted_total).quantize(Decimal("0.01"))


def _rows(found: dict, labels: dict) -> list[SourceRow]:
    rows = [SourceRow(key, labels.get(key, str(key)), giving) for key, giving in found.items()]
    return sorted(rows, key=lambda row: (-row.giving.gross, row.label))


def _channel(prefix: str = "") -> Case:
    has_stripe = Q()
    for name in STRIPE_IDS:
        has_stripe |= Q(**{f"{prefix}{name}__isnull": False})
    return Case(
        When(has_stripe, then=Value(ONLINE)),
        When(Q(**{f"{prefix}method": Gift.Method.CHEQUE}), then=Value(MAIL)),
        default=Value(OTHER),
        output_field=CharField(),
    )


def by_channel(period: Period) -> list[SourceRow]:
    found = grouped.giving_grouped(period, _channel(), _channel("gift__"))
    labels = {ONLINE: "Online", MAIL: "Mail (checks)", OTHER: "Other"}
    return _rows(found, labels)


def by_method(period: Period) -> list[SourceRow]:
    found = grouped.giving_grouped(period, "method", "gift__method")
    return _rows(found, {key: str(label) for key, label in Gift.Method.choices})


def by_fund(period: Period) -> list[SourceRow]:
    found = grouped.giving_grouped(period, "fund_id", "gift__fund_id")
    labels = dict(Fund.objects.filter(pk__in=[k for k in found if k]).values_list("pk", "name"))
    labels[None] = "No fund"
    return _rows(found, labels)


def _appeal_code(prefix: str = "") -> Case:
    """A mailing's appeal code as Letter.effective_appeal_code gives it, in SQL."""
    return Case(
        When(**{f"{prefix}letter__appeal_code": ""}, then=F(f"{prefix}letter__campaign__code")),
        default=F(f"{prefix}letter__appeal_code"),
        output_field=CharField(),
    )


def _mailings_by_code(period: Period) -> dict[str, tuple[int, Decimal | None]]:
    """Appeal code -> (recipients, cost) of the mailings started in the period."""
    mailings = Mailing.objects.filter(started_at__date__range=(period.start, period.end)).annotate(
        code=_appeal_code()
    )
    costs = dict(mailings.values("code").annotate(cost=Sum("cost")).values_list("code", "cost"))
    recipients = dict(
        Delivery.objects.filter(mailing__in=mailings.values("pk"))
        .annotate(code=_appeal_code("mailing__"))
        .values("code")
        .annotate(n=Count("pk"))
        .values_list("code", "n")
    )
    return {
        code: (recipients.get(code, 0), costs.get(code)) for code in {*costs, *recipients} if code
    }


def by_appeal(period: Period) -> list[SourceRow]:
    """Each appeal code with gifts or mailings in the period; gifts without a code apart
    (key '')."""
    found = grouped.giving_grouped(period, "appeal_code", "gift__appeal_code")
    mailed = _mailings_by_code(period)
    rows = [
        SourceRow(
            code,
            code or "No appeal code",
            found.get(code, Giving()),
            *mailed.get(code, (None, None)),
        )
        for code in {*found, *mailed}
    ]
    return sorted(rows, key=lambda row: (-row.giving.gross, row.label))


def by_campaign(period: Period) -> list[SourceRow]:
    """Each campaign with gifts in the period (gifts without one apart, key None); recipients
    and cost from the mailings carrying the campaign's code."""
    found = grouped.giving_grouped(period, "campaign_id", "gift__campaign_id")
    campaigns = Campaign.objects.in_bulk([k for k in found if k])
    mailed = _mailings_by_code(period)
    rows = []
    for key, giving in found.items():
        campaign = campaigns.get(key)
        recipients, cost = mailed.get(campaign.code, (None, None)) if campaign else (None, None)
        label = campaign.name if campaign else "No campaign"
        rows.append(SourceRow(key, label, giving, recipients, cost))
    return sorted(rows, key=lambda row: (-row.giving.gross, row.label))
