import re
import uuid
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.money import money_text
from core.stale_edit import StaleEditModelForm
from crm.matching import US_REGIONS, us_zip_error
from donations.models import Gift
from donations.online.checkout import MAX_AMOUNT, MIN_AMOUNT, MONTHLY, ONCE, DonationRequest
from donations.services import GiftEntry, gift_check

OTHER = "other"
_NONCE = re.compile(r"[0-9a-f]{32}")
_PLAIN_AMOUNT = re.compile(r"\d{1,9}(\.\d{1,2})?")
_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.\d{1,2})?")
_DECIMAL_COMMA = re.compile(r"\d{1,9},\d{1,2}")

# The countries most of this organisation's supporters write from, the US first. A donor from
# elsewhere can still give; Stripe asks for the card's own country.
COUNTRIES = [
    ("US", _("United States")),
    ("CA", _("Canada")),
    ("MX", _("Mexico")),
    ("GT", "Guatemala"),
    ("SV", "El Salvador"),
    ("HN", "Honduras"),
    ("NI", "Nicaragua"),
    ("CR", "Costa Rica"),
    ("PA", _("Panama")),
    ("CU", "Cuba"),
    ("DO", _("Dominican Republic")),
    ("HT", _("Haiti")),
    ("CO", "Colombia"),
    ("VE", "Venezuela"),
    ("EC", "Ecuador"),
    ("PE", _("Peru")),
    ("BO", "Bolivia"),
    ("BR", _("Brazil")),
    ("AR", "Argentina"),
    ("CL", "Chile"),
    ("ES", _("Spain")),
    ("GB", _("United Kingdom")),
    ("FR", _("France")),
    ("DE", _("Germany")),
    ("PH", _("Philippines")),
    ("IN", _("India")),
]


def _text(
    label: str,
    *,
    autocomplete: str,
    required_message: str | None = None,
    max_length: int = 100,
) -> forms.CharField:
    messages = {"max_length": _("Please shorten this to %(limit_value)d characters.")}
    if required_message is not None:
        messages["required"] = required_message
    return forms.CharField(
        label=label,
        required=required_message is not None,
        max_length=max_length,
        widget=forms.TextInput(attrs={"autocomplete": autocomplete}),
        error_messages=messages,
    )


class DonationForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=[(ONCE, _("Give once")), (MONTHLY, _("Give monthly"))],
        initial=ONCE,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose to give once or monthly.")},
    )
    amount = forms.ChoiceField(label=_("Amount"), required=False, widget=forms.RadioSelect)
    other_amount = forms.CharField(
        label=_("Other amount in US dollars"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    first_name = _text(
        _("First name"), autocomplete="given-name", required_message=_("Enter your first name.")
    )
    last_name = _text(
        _("Last name"), autocomplete="family-name", required_message=_("Enter your last name.")
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        help_text=_("We send your receipt here."),
        error_messages={
            "required": _("Enter your email address, so we can send your receipt."),
            "invalid": _("Enter an email address like name@example.com."),
        },
    )
    address_line1 = _text(
        _("Street address"),
        autocomplete="address-line1",
        required_message=_("Enter your street address, for your receipt."),
        max_length=200,
    )
    address_line2 = _text(
        _("Apartment, suite, etc. (optional)"), autocomplete="address-line2", max_length=200
    )
    city = _text(_("City"), autocomplete="address-level2", required_message=_("Enter your city."))
    region = _text(_("State / province"), autocomplete="address-level1")
    postal_code = _text(_("ZIP / postal code"), autocomplete="postal-code", max_length=20)
    country = forms.ChoiceField(
        label=_("Country"),
        choices=COUNTRIES,
        initial="US",
        widget=forms.Select(attrs={"autocomplete": "country"}),
    )
    tribute = forms.ChoiceField(
        label=_("Dedicate this gift"),
        required=False,
        choices=[
            ("", _("No dedication")),
            ("honour", _("In honor of someone")),
            ("memory", _("In memory of someone")),
        ],
        initial="",
        widget=forms.RadioSelect,
    )
    tribute_name = _text(
        _("Name of the person you are honoring or remembering"), autocomplete="off", max_length=200
    )
    tribute_notify_name = _text(_("Their name"), autocomplete="off", max_length=200)
    tribute_notify_email = forms.EmailField(
        label=_("Their email"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"invalid": _("Enter an email address like name@example.com.")},
    )
    tribute_notify_address = forms.CharField(
        label=_("Or their postal address, for a printed card"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        error_messages={"max_length": _("Please shorten this to %(limit_value)d characters.")},
    )
    tribute_show_amount = forms.BooleanField(
        label=_("Include the amount in the notice"),
        required=False,
        initial=False,
        help_text=_(
            "If you keep your name out of public lists, the notice will say the gift came "
            "from a friend."
        ),
    )
    cover_fee = forms.BooleanField(
        label=_("Add 2.9% + $0.30 to cover the card processing fee, so all of my gift arrives."),
        required=False,
    )
    anonymous = forms.BooleanField(
        label=_("Keep my name out of public lists of donors."), required=False
    )
    nonce = forms.CharField(widget=forms.HiddenInput, required=False)
    # A field people never see: bots that fill in every field give themselves away.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    ADDRESS_FIELDS = ("address_line1", "address_line2", "city", "region", "postal_code")

    def __init__(
        self,
        *args: Any,
        ask_amounts: Sequence[Decimal],
        initial: dict | None = None,
        address_on_file_for: str = "",
        asks_address: bool = True,
        preselected: Decimal | None = None,
        **kwargs: Any,
    ) -> None:
        """address_on_file_for: the email of a letter's supporter whose address is on file; a
        donor giving with that email may leave the address blank to keep using it.
        asks_address: False leaves the address to Stripe's page (the organisation's setting).
        preselected: the amount chosen when the page opens (one of ask_amounts)."""
        initial = {"nonce": uuid.uuid4().hex, **(initial or {})}
        if preselected is not None and preselected in ask_amounts:
            initial.setdefault("amount", str(ask_amounts[list(ask_amounts).index(preselected)]))
        super().__init__(*args, initial=initial, **kwargs)
        self.asks_address = asks_address
        if not asks_address:
            for name in (*self.ADDRESS_FIELDS, "country"):
                del self.fields[name]
            address_on_file_for = ""
        self.address_on_file_for = address_on_file_for.strip().lower()
        if self.address_on_file_for:
            for name in ("address_line1", "city"):
                self.fields[name].required = False
        self.fields["amount"].choices = [
            (str(amount), money_text(amount, cents="when_needed")) for amount in ask_amounts
        ] + [(OTHER, _("Other"))]
        self.fields["other_amount"].help_text = _("Between %(min)s and %(max)s.") % {
            "min": money_text(MIN_AMOUNT, cents="when_needed"),
            "max": money_text(MAX_AMOUNT, cents="when_needed"),
        }

    def clean_other_amount(self) -> Decimal | None:
        raw = re.sub(r"[\s$]|US|USD", "", self.cleaned_data["other_amount"] or "")
        if not raw:
            return None
        if _THOUSANDS.fullmatch(raw):
            raw = raw.replace(",", "")
        elif _DECIMAL_COMMA.fullmatch(raw):
            raw = raw.replace(",", ".")
        if not _PLAIN_AMOUNT.fullmatch(raw):
            raise forms.ValidationError(
                _("Enter the amount in dollars, for example 40 or 40.50."), code="invalid"
            )
        try:
            return Decimal(raw)
        except InvalidOperation:  # pragma: no cover - the pattern admits only plain numbers
            raise forms.ValidationError(_("Enter the amount in dollars."), code="invalid") from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("website"):
            self.data = self.data.copy()
            self.data["website"] = ""
            raise forms.ValidationError(
                _("Your gift could not be sent. Please check your details and try again."),
                code="honeypot",
            )
        if not _NONCE.fullmatch(data.get("nonce") or ""):
            # The hidden field was lost or altered: issue a fresh one with the re-shown form.
            self.data = self.data.copy()
            self.data["nonce"] = uuid.uuid4().hex
            raise forms.ValidationError(
                _("Please check your details and press Continue to payment again."), code="nonce"
            )
        self._clean_amount(data)
        if not self.asks_address:
            pass  # Stripe's page takes the billing address
        elif self._keeps_address_on_file(data):
            data["address_on_file"] = True
        else:
            self._require_address(data)
            self._clean_address(data)
        if data.get("tribute") and not (data.get("tribute_name") or "").strip():
            self.add_error(
                "tribute_name",
                _("Enter the name of the person you are honoring or remembering."),
            )
        return data

    def _clean_amount(self, data: dict[str, Any]) -> None:
        choice = data.get("amount") or ""
        other = data.get("other_amount")
        if "other_amount" in self.errors:
            return
        if choice == OTHER or (not choice and other is not None):
            if other is None:
                self.add_error("other_amount", _("Type the amount you would like to give."))
                return
            amount, field = other, "other_amount"
        elif choice:
            amount, field = Decimal(choice), "amount"
        else:
            self.add_error("amount", _("Choose an amount, or type another amount."))
            return
        if amount < MIN_AMOUNT:
            self.add_error(
                field,
                _("The smallest gift we can take online is %(min)s.")
                % {"min": money_text(MIN_AMOUNT, cents="when_needed")},
            )
        elif amount > MAX_AMOUNT:
            self.add_error(
                field,
                _(
                    "Online gifts can be up to %(max)s. For a larger gift, please call or "
                    "write to us and we will help."
                )
                % {"max": money_text(MAX_AMOUNT, cents="when_needed")},
            )
        else:
            data["amount_value"] = amount

    def _keeps_address_on_file(self, data: dict[str, Any]) -> bool:
        if not self.address_on_file_for:
            return False
        typed = any((data.get(name) or "").strip() for name in self.ADDRESS_FIELDS)
        return not typed and (data.get("email") or "").strip().lower() == self.address_on_file_for

    def _require_address(self, data: dict[str, Any]) -> None:
        """With an address on file the two fields are optional on the page; anyone giving with
        another email (a forwarded link) must still give their own."""
        if not self.address_on_file_for:
            return  # the fields themselves are required
        for name in ("address_line1", "city"):
            if not (data.get(name) or "").strip() and name not in self.errors:
                self.add_error(name, self.fields[name].error_messages["required"])

    def _clean_address(self, data: dict[str, Any]) -> None:
        if data.get("country") != "US":
            return
        region = (data.get("region") or "").strip().upper()
        postal = (data.get("postal_code") or "").strip()
        if not region:
            self.add_error("region", _("Enter your state, for example NY."))
        elif region not in US_REGIONS:
            self.add_error("region", _("Enter the two-letter state code, for example NY or CA."))
        else:
            data["region"] = region
        if not postal:
            self.add_error("postal_code", _("Enter your ZIP code."))
        elif us_zip_error(postal):
            self.add_error("postal_code", _("Enter a 5-digit ZIP code, for example 10001."))

    def donation_request(
        self, *, language: str, appeal_code: str, supporter_id: int | None, return_query: str = ""
    ) -> DonationRequest:
        data = self.cleaned_data
        tribute = data.get("tribute") or ""
        return DonationRequest(
            amount=data["amount_value"],
            frequency=data["frequency"],
            first_name=data["first_name"].strip(),
            last_name=data["last_name"].strip(),
            email=data["email"].strip(),
            # Blank when the supporter keeps the address on file: the webhook then leaves the
            # record as it is.
            address_line1=(data.get("address_line1") or "").strip(),
            address_line2=(data.get("address_line2") or "").strip(),
            city=(data.get("city") or "").strip(),
            region=(data.get("region") or "").strip(),
            postal_code=(data.get("postal_code") or "").strip(),
            country="" if data.get("address_on_file") or not self.asks_address else data["country"],
            billing_address_on_stripe=not self.asks_address,
            language=language if language in ("en", "es") else "en",
            tribute=tribute,
            tribute_name=data["tribute_name"].strip() if tribute else "",
            tribute_notify_name=data["tribute_notify_name"].strip() if tribute else "",
            tribute_notify_email=data["tribute_notify_email"].strip() if tribute else "",
            tribute_notify_address=data["tribute_notify_address"].strip() if tribute else "",
            tribute_show_amount=bool(tribute and data.get("tribute_show_amount")),
            cover_fee=bool(data.get("cover_fee")),
            anonymous=bool(data.get("anonymous")),
            appeal_code=appeal_code,
            supporter_id=supporter_id,
            nonce=data["nonce"],
            return_query=return_query,
        )


class GiftAdminForm(StaleEditModelForm):
    """The admin's gift form: refuses a save over someone else's newer one (core.stale_edit).
    The admin chooses the fields shown; the gift form's page shows the stock and in-kind
    fields only for those methods (templates/admin/donations/gift/change_form.html)."""

    class Meta:
        model = Gift
        fields = "__all__"
        help_texts = {
            "amount": "Stock and in kind: your estimate of the value, for reports only. "
            "Receipts, thank-yous and statements describe the gift and never show it.",
        }

    def clean(self) -> dict[str, Any]:
        """The gifts service's own rules, shown by their fields (the admin then saves through
        the service, which checks them again), and the dedication's."""
        data = super().clean()
        # The service also upper-cases the ticker and drops stock details left over from a
        # changed method (services._stock_details).
        if all(data.get(name) is not None for name in ("supporter", "amount", "received_on")):
            try:
                gift_check(GiftEntry.from_values(data))
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    if name not in self.errors:
                        self.add_error(name if name in self.fields else None, messages)
        notify = any(
            (data.get(name) or "").strip()
            for name in ("tribute_notify_name", "tribute_notify_email", "tribute_notify_address")
        )
        if not data.get("tribute") and (notify or (data.get("tribute_name") or "").strip()):
            self.add_error("tribute", "Choose in honor of or in memory of, or clear the names.")
        elif data.get("tribute") and not (data.get("tribute_name") or "").strip():
            self.add_error("tribute_name", "Enter the name of the person honored or remembered.")
        return data
