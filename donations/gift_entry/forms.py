"""The short gift form: what staff type for a check, cash or a transfer, nothing Stripe keeps.

Field order is tab order: amount (focused), method, check number, date, campaign, fund, appeal
code, note; stock and in-kind fields follow the method and show only for it. Date starts as
today; campaign and fund start as on the last gift this staff member recorded."""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import timezone

from crm.models import Supporter
from donations.models import Campaign, Fund, Gift
from donations.services import GiftEntry, gift_check

# '250', '250.5', '1,250.00', '$1,250' (a pasted figure keeps its dollar sign and commas).
_AMOUNT = re.compile(r"\d{1,10}(\.\d{1,2})?")
_GROUPED = re.compile(r"\d{1,3}(,\d{3})+(\.\d{1,2})?")
# Fields shown only for some methods (the page hides the others; the service drops their values).
SHOWN_FOR = {
    "cheque_number": "cheque",
    "in_kind_description": "stock in_kind",
    "stock_ticker": "stock",
    "stock_shares": "stock",
    "given_on": "stock",
}


class CampaignChoice(forms.ModelChoiceField):
    def label_from_instance(self, campaign: Campaign) -> str:
        return campaign.name


def last_used(user: AbstractBaseUser) -> dict[str, int]:
    """Campaign and fund of the last gift this user recorded (by hand, batch or import), as
    initial values; nothing for a fund since made inactive."""
    gift = (
        Gift.objects.filter(recorded_by=user)
        .order_by("-created_at", "-pk")
        .values("campaign_id", "fund_id", "fund__is_active")
        .first()
    )
    if gift is None:
        return {}
    found = {"campaign": gift["campaign_id"]}
    if gift["fund__is_active"]:
        found["fund"] = gift["fund_id"]
    return {name: value for name, value in found.items() if value is not None}


class GiftEntryForm(forms.Form):
    amount = forms.CharField(
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "autofocus": True, "size": 12}
        ),
        help_text="In dollars, e.g. 250 or 1,250.50. Stock and in kind: your estimate, for "
        "reports only; receipts never show it.",
        error_messages={"required": "Type the amount of the gift."},
    )
    method = forms.ChoiceField(choices=Gift.Method.choices, initial=Gift.Method.CHEQUE)
    cheque_number = forms.CharField(
        label="Check number", max_length=40, required=False, widget=forms.TextInput({"size": 10})
    )
    in_kind_description = forms.CharField(
        label="Description of the gift",
        max_length=300,
        required=False,
        widget=forms.TextInput({"size": 60}),
        help_text="What was given, as the receipt will describe it (e.g. '12 winter coats, "
        "new'). The receipt never states a value.",
    )
    stock_ticker = forms.CharField(
        label="Ticker symbol", max_length=10, required=False, help_text="e.g. AAPL or BRK.B."
    )
    stock_shares = forms.DecimalField(
        label="Number of shares",
        max_digits=14,
        decimal_places=4,
        required=False,
        help_text="As on the broker's transfer notice; fractions allowed.",
        error_messages={"invalid": "Type the number of shares, e.g. 100 or 12.5."},
    )
    given_on = forms.DateField(
        label="Date given",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day the shares left the donor's account. Blank: the date received.",
    )
    received_on = forms.DateField(
        label="Date received",
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Give the date the gift was received.",
            "invalid": "Give the date as shown, e.g. 05/03/2026.",
        },
    )
    campaign = CampaignChoice(
        queryset=Campaign.objects.all(), required=False, empty_label="(no campaign)"
    )
    fund = forms.ModelChoiceField(
        queryset=Fund.objects.filter(is_active=True),
        required=False,
        empty_label="(the campaign's fund, else the default fund)",
    )
    appeal_code = forms.CharField(
        label="Appeal code",
        max_length=40,
        required=False,
        widget=forms.TextInput({"size": 14}),
        help_text="From the reply card, if any. Blank: the campaign's code.",
    )
    notes = forms.CharField(
        label="Note", max_length=2000, required=False, widget=forms.TextInput({"size": 60})
    )

    def __init__(self, *args: Any, user: AbstractBaseUser, **kwargs: Any) -> None:
        initial = {**last_used(user), **kwargs.pop("initial", {})}
        super().__init__(*args, initial=initial, **kwargs)
        if self.is_bound:
            # Re-shown after a refusal: the page puts the cursor in the first field to correct.
            del self.fields["amount"].widget.attrs["autofocus"]
        remembered = "Starts as on the last gift you recorded; change it for this gift."
        for name in ("campaign", "fund"):
            if name in initial:
                self.fields[name].help_text = remembered

    def clean_amount(self) -> Decimal:
        raw = re.sub(r"[\s$]", "", self.cleaned_data["amount"])
        if _GROUPED.fullmatch(raw):
            raw = raw.replace(",", "")
        if not _AMOUNT.fullmatch(raw):
            raise ValidationError("Type the amount in dollars and cents, e.g. 250 or 250.50.")
        try:
            return Decimal(raw)
        except InvalidOperation:  # pragma: no cover - the pattern admits only plain numbers
            raise ValidationError("Type the amount in dollars, e.g. 250.") from None

    def clean(self) -> dict[str, Any]:
        """The gifts service's rules, shown by their fields; it checks them again on save."""
        data = super().clean()
        if self.errors:
            return data
        try:
            gift_check(self.entry_for(supporter=0))
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        return data

    def entry_for(self, *, supporter: Supporter | int) -> GiftEntry:
        data = dict(self.cleaned_data)
        if data["method"] != Gift.Method.CHEQUE:
            data["cheque_number"] = ""
        if data["method"] not in (Gift.Method.STOCK, Gift.Method.IN_KIND):
            data["in_kind_description"] = ""
        return GiftEntry.from_values({**data, "supporter": supporter})
