from django import forms
from import_export.forms import ImportForm

from core.stale_edit import StaleEditModelForm
from crm import addresses
from crm.models import Supporter

ADDRESS_FIELDS = ("address_line1", "city", "region", "postal_code", "country")

CONSENT_SOURCE_HELP = (
    "Where these people said yes to email, e.g. 'Spring gala sign-up sheet, 2025-04-12'. "
    "Needed when the file marks anyone as opted in and has no 'Consent Source' column."
)


class SupporterForm(StaleEditModelForm):  # refuses a save over someone else's newer one
    consent_source = forms.CharField(
        label="How was consent given?",
        required=False,
        max_length=200,
        help_text="Needed when you mark someone as opted in to email: where and how they said "
        "yes (e.g. 'Ticked the box on the gala RSVP card').",
    )
    country = forms.ChoiceField(choices=addresses.country_choices, initial=addresses.home_country)

    class Meta:
        model = Supporter
        fields = [  # noqa: RUF100 - every editable field; the match keys are derived
            f.name
            for f in Supporter._meta.get_fields()
            if getattr(f, "editable", False)
            and not f.auto_created
            and not f.name.startswith("match_")
            and f.name != "household"  # joined and left on the profile (crm.households)
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        before = self.initial.get("email_opt_in", Supporter.EmailOptIn.UNKNOWN)
        after = cleaned.get("email_opt_in")
        if (
            after == Supporter.EmailOptIn.OPTED_IN
            and before != after
            and not cleaned.get("consent_source", "").strip()
        ):
            self.add_error("consent_source", "Say how this person gave consent to email.")
        if set(self.changed_data) & set(ADDRESS_FIELDS):
            # Only when the address is edited: an old partial one must not block other edits.
            address = addresses.normalise(
                country=cleaned.get("country", ""),
                region=cleaned.get("region", ""),
                postal_code=cleaned.get("postal_code", ""),
                city=cleaned.get("city", ""),
                line1=cleaned.get("address_line1", ""),
            )
            for name, message in address.missing.items():
                self.add_error(name, message)
        return cleaned


def source_system_field() -> forms.CharField:
    """'Which system is this file from?': the ids in the file are kept as that system's, and
    found again on its next import (crm.importing.sources). Blank: guessed from the headers."""
    field = forms.CharField(
        label="Which system is this file from?",
        required=False,
        max_length=60,
        help_text="Ids in the file (VANID, Donor_ID, Transaction ID...) are kept as this "
        "system's, so importing its files again adds nothing twice. Leave blank to let the "
        "import tell from the columns (VANID: EveryAction; Donor_ID or Constituent ID: "
        "Previous CRM; DONOR EMAIL ADDRESS: CanadaHelps).",
    )
    field.widget.attrs["list"] = "source-systems"
    return field


class SupporterImportForm(ImportForm):
    consent_source = forms.CharField(
        label="Consent source for this file",
        required=False,
        max_length=200,
        help_text=CONSENT_SOURCE_HELP,
    )
    source_system = source_system_field()


class MergeForm(forms.Form):
    keep = forms.TypedChoiceField(
        coerce=int,
        widget=forms.RadioSelect,
        label="Which record should stay?",
        help_text="The other record's notes, tags, consent history and gifts move to the one "
        "that stays; its blank fields are filled from the other; nothing is deleted that is "
        "not copied first.",
    )

    def __init__(self, *args: object, first: Supporter, second: Supporter, **kwargs: object):
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [
            (first.pk, f"#{first.pk} {first}"),
            (second.pk, f"#{second.pk} {second}"),
        ]
        self.fields["keep"].initial = first.pk
