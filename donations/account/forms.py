"""The donor account's forms: asking for a sign-in link and the preference changes. Field
validation only; the changes themselves are donations.account.preferences."""

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.models import Supporter
from donations.forms import COUNTRIES

EMAIL_ERRORS = {
    "required": _("Enter your email address."),
    "invalid": _("Enter an email address like name@example.com."),
}


def _email_field(label: str) -> forms.EmailField:
    return forms.EmailField(
        label=label,
        max_length=254,
        error_messages=EMAIL_ERRORS,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


def _text(label: str, autocomplete: str, *, required: bool = False, max_length: int = 100):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        error_messages={
            "required": _("Please fill this in."),
            "max_length": _("Please shorten this to %(limit_value)d characters."),
        },
        widget=forms.TextInput(attrs={"autocomplete": autocomplete}),
    )


class SignInLinkForm(forms.Form):
    email = _email_field(_("Your email address"))


class EmailChangeForm(forms.Form):
    prefix = "email"
    new_email = _email_field(_("New email address"))


class AddressForm(forms.Form):
    prefix = "address"
    address_line1 = _text(_("Street address"), "address-line1", required=True, max_length=200)
    address_line2 = _text(_("Apartment, suite, etc. (optional)"), "address-line2", max_length=200)
    city = _text(_("City"), "address-level2", required=True)
    region = _text(_("State / province"), "address-level1")
    postal_code = _text(_("ZIP / postal code"), "postal-code", max_length=20)
    country = forms.ChoiceField(
        label=_("Country"),
        choices=COUNTRIES,
        widget=forms.Select(attrs={"autocomplete": "country"}),
    )

    def __init__(self, *args, current_country: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A country on file that is not among the usual ones stays choosable.
        if current_country and current_country not in dict(COUNTRIES):
            self.fields["country"].choices = [*COUNTRIES, (current_country, current_country)]


class LanguageForm(forms.Form):
    prefix = "language"
    language = forms.ChoiceField(
        label=_("Language for our emails, letters and receipts"),
        choices=[(Supporter.Language.ENGLISH, "English"), (Supporter.Language.SPANISH, "Español")],
        widget=forms.RadioSelect,
    )


class ContactForm(forms.Form):
    prefix = "contact"
    email_appeals = forms.BooleanField(label=_("Email me news and appeals"), required=False)
    postal_mail = forms.BooleanField(label=_("Send me letters by post"), required=False)


class PlanAmountForm(forms.Form):
    # Checked by donations.plans, which says what is wrong in plain words.
    amount = forms.CharField(
        label=_("New monthly amount in US dollars"),
        max_length=20,
        error_messages={"required": _("Enter the new monthly amount.")},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class PauseForm(forms.Form):
    months = forms.TypedChoiceField(
        label=_("Pause for"),
        coerce=int,
        choices=[(1, _("1 month")), (2, _("2 months")), (3, _("3 months"))],
        initial=1,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how long to pause.")},
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Would you tell us why? (optional)"),
        required=False,
        max_length=1000,
        error_messages={"max_length": _("Please keep the reason under 1000 characters.")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
