"""The batch screen's forms: the batch's own fields, one row per check, and a new donor."""

from django import forms
from django.utils import timezone

from crm.models import Supporter
from donations.deposits.batch.selectors import DonorChoice, donor_choice, donor_search
from donations.models import Campaign, Fund


class CampaignChoice(forms.ModelChoiceField):
    """A row's campaign by its name alone: the column is narrow, the batch's choice shows codes."""

    def label_from_instance(self, obj: Campaign) -> str:
        return obj.name


class BatchForm(forms.Form):
    deposit_date = forms.DateField(
        label="Deposit date",
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day the checks go to the bank; rows received that day leave theirs blank.",
    )
    fund = forms.ModelChoiceField(
        queryset=Fund.objects.filter(is_active=True),
        required=False,
        empty_label="The campaign's, or the default",
        help_text="Every row's, unless the row names another.",
    )
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.all(),
        required=False,
        empty_label="None",
        help_text="Every row's, unless the row names another.",
    )
    reference = forms.CharField(
        label="Deposit reference",
        max_length=60,
        required=False,
        help_text="The deposit slip's number, kept in each gift's notes.",
    )
    expected_total = forms.DecimalField(
        label="Control total",
        required=False,
        min_value=0,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "class": "batch-control"}),
        help_text="Optional: the deposit slip's total, checked against the rows.",
    )


class ChequeForm(forms.Form):
    # What staff typed to find the donor; without JavaScript the server searches it and asks
    # which of the matches is meant (`candidates`), with JavaScript it is the picker's box.
    donor = forms.CharField(
        max_length=200,
        required=False,
        widget=forms.TextInput(
            attrs={
                "class": "batch-donor",
                "placeholder": "Name, email or ID",
                "autocomplete": "off",
                "aria-label": "Donor",
            }
        ),
    )
    supporter = forms.IntegerField(required=False, widget=forms.HiddenInput)
    amount = forms.DecimalField(
        required=False,
        min_value=0.01,
        decimal_places=2,
        widget=forms.NumberInput(
            attrs={"class": "batch-amount", "step": "0.01", "aria-label": "Amount"}
        ),
    )
    cheque_number = forms.CharField(
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"aria-label": "Check number", "size": 8}),
    )
    received_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "aria-label": "Received"}),
    )
    fund = forms.ModelChoiceField(
        queryset=Fund.objects.filter(is_active=True),
        required=False,
        empty_label="Batch's",
        widget=forms.Select(attrs={"class": "batch-fund", "aria-label": "Fund"}),
    )
    campaign = CampaignChoice(
        queryset=Campaign.objects.all(),
        required=False,
        empty_label="Batch's",
        widget=forms.Select(attrs={"class": "batch-campaign", "aria-label": "Campaign"}),
    )

    candidates: tuple[DonorChoice, ...] = ()  # the matches to choose from (no JavaScript)
    picked: DonorChoice | None = None  # the donor chosen, shown on the row

    def clean(self) -> dict:
        data = super().clean()
        picked, typed = data.get("supporter"), (data.get("donor") or "").strip()
        if picked is None and typed.lstrip("#").isdigit():  # an id is not ambiguous
            picked = int(typed.lstrip("#"))
        if picked is not None:
            supporter = Supporter.objects.select_related("giving").filter(pk=picked).first()
            if supporter is None:
                self.add_error("donor", "No donor has that ID. Search again.")
            else:
                self.picked = donor_choice(supporter)
            data["supporter"] = supporter
        elif typed:
            self.candidates = tuple(donor_search(typed))
            if not self.candidates:
                self.add_error("donor", f"No donor matches “{typed}”. Check it or add a new donor.")
            else:
                self.add_error("donor", "Choose which donor this check is from.")
        elif data.get("amount") is not None or data.get("cheque_number"):
            self.add_error("donor", "Who is this check from?")
        if (
            (picked is not None or typed)
            and data.get("amount") is None
            and not self.has_error("amount")
        ):
            self.add_error("amount", "Enter the check's amount.")
        return data


ChequeFormSet = forms.formset_factory(ChequeForm, extra=3, max_num=500, absolute_max=500)


class NewDonorForm(forms.Form):
    first_name = forms.CharField(max_length=100, required=False)
    last_name = forms.CharField(max_length=100, required=False)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=40, required=False)
    address_line1 = forms.CharField(label="Street address", max_length=200, required=False)
    city = forms.CharField(max_length=100, required=False)
    region = forms.CharField(label="State", max_length=100, required=False)
    postal_code = forms.CharField(label="ZIP code", max_length=20, required=False)
    # Set by 'Add anyway' after staff saw the supporters this one looks like.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)
