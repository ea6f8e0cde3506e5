"""The criteria of an audience: one form defines every criterion, its label, its help and
its checks, and the JSON document saved on the audience is that form's cleaned values.

All criteria must hold (AND). Within a criterion, 'any of' lists are OR. An empty document
means every supporter. Amount criteria concern donors only: someone who never gave has no
highest gift, so 'highest gift less than $50' does not pick them.
"""

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from crm.matching import US_REGIONS
from crm.models import Supporter, Tag
from mailings.audiences.models import Audience

TAG_LISTS = ("tags_any", "tags_all", "tags_none")
AUDIENCE_LISTS = ("include_audiences", "exclude_audiences")
FLAGS = ("lybunt", "sybunt", "first_time", "has_plan", "never_gave")
DATES = ("gave_from", "gave_to")
AMOUNTS = ("highest_min", "highest_max", "lifetime_min", "lifetime_max")
TEXTS = ("language", "email_consent", "country", "city", "zip_prefix")
KEYS = frozenset(
    (*TAG_LISTS, *AUDIENCE_LISTS, *FLAGS, *DATES, *AMOUNTS, *TEXTS, "regions", "lapsed_months")
)
# Criteria about giving: 'never gave' contradicts every one of them.
GIVING = ("lybunt", "sybunt", "first_time", "has_plan", *DATES, *AMOUNTS, "lapsed_months")
_ZIP_PREFIX = re.compile(r"^[A-Z0-9][A-Z0-9 -]{0,9}$")
MAX_DEPTH = 5  # audiences within audiences within ...; deeper is refused as too hard to follow


class TagChoices(forms.ModelMultipleChoiceField):
    def __init__(self, label: str, help_text: str) -> None:
        super().__init__(
            Tag.objects.all(),
            required=False,
            label=label,
            help_text=help_text,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"invalid_choice": "A tag you chose no longer exists: choose again."},
        )


class AudienceChoices(forms.ModelMultipleChoiceField):
    def __init__(self, label: str, help_text: str) -> None:
        super().__init__(
            Audience.objects.all(),
            required=False,
            label=label,
            help_text=help_text,
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "invalid_choice": "An audience you chose no longer exists: choose again."
            },
        )


def _money(label: str, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label, help_text=help_text, required=False, min_value=0, max_digits=12,
        decimal_places=2, widget=forms.NumberInput(attrs={"step": "1", "placeholder": "$"}),
    )  # fmt: skip


class CriteriaForm(forms.Form):
    tags_any = TagChoices("Has any of these tags", "Leave all unchecked to ignore tags.")
    tags_all = TagChoices("Has all of these tags", "")
    tags_none = TagChoices("Has none of these tags", "")

    language = forms.ChoiceField(
        label="Preferred language", required=False,
        choices=[("", "Any language"), *Supporter.Language.choices],
    )  # fmt: skip
    email_consent = forms.ChoiceField(
        label="Email consent", required=False,
        choices=[
            ("", "Anyone"),
            ("opted_in", "Opted in to email"),
            ("not_opted_out", "Not opted out (opted in, or never asked)"),
        ],
        help_text="Do not email, deceased and suppressed addresses are always left out of "
        "email sends; this narrows the audience further.",
    )  # fmt: skip

    country = forms.CharField(
        label="Country", required=False, max_length=40,
        help_text="Two-letter code: US, MX, CA ...",
        widget=forms.TextInput(attrs={"size": 4, "maxlength": 2}),
    )  # fmt: skip
    regions = forms.CharField(
        label="State / region", required=False, max_length=200,
        help_text="One or more, separated by commas: CA, NY. Two-letter codes in the US.",
    )  # fmt: skip
    city = forms.CharField(label="City", required=False, max_length=100)
    zip_prefix = forms.CharField(
        label="ZIP / postal code starts with", required=False, max_length=10,
        help_text="e.g. 941 for San Francisco, or a whole ZIP.",
        widget=forms.TextInput(attrs={"size": 10}),
    )  # fmt: skip

    gave_from = forms.DateField(
        label="Gave on or after", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    gave_to = forms.DateField(
        label="Gave on or before", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text="At least one gift in these dates (either date may be left open).",
    )  # fmt: skip
    lybunt = forms.BooleanField(
        label="Gave last fiscal year, not yet this one (LYBUNT)", required=False
    )
    sybunt = forms.BooleanField(
        label="Gave in some earlier year, not yet this one (SYBUNT)", required=False,
        help_text="Includes last year's donors (LYBUNT).",
    )  # fmt: skip
    first_time = forms.BooleanField(label="First-time donors (exactly one gift)", required=False)
    has_plan = forms.BooleanField(label="Has an active monthly or yearly gift", required=False)
    never_gave = forms.BooleanField(label="Never gave", required=False)
    highest_min = _money("Highest gift at least")
    highest_max = _money("Highest gift less than")
    lifetime_min = _money("Lifetime giving at least")
    lifetime_max = _money("Lifetime giving less than")
    lapsed_months = forms.IntegerField(
        label="Last gift more than … months ago", required=False, min_value=1, max_value=600,
        help_text="e.g. 18: donors whose latest gift is older than a year and a half.",
        widget=forms.NumberInput(attrs={"style": "width: 6em"}),
    )  # fmt: skip

    include_audiences = AudienceChoices(
        "Also in one of these audiences",
        "Only people who are in at least one of the checked audiences.",
    )
    exclude_audiences = AudienceChoices(
        "Not in any of these audiences", "Leaves out everyone in the checked audiences."
    )

    def __init__(self, *args: Any, audience_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.audience_id = audience_id
        if audience_id is not None:  # an audience cannot contain itself
            for name in AUDIENCE_LISTS:
                field = self.fields[name]
                field.queryset = field.queryset.exclude(pk=audience_id)

    def clean_country(self) -> str:
        code = self.cleaned_data["country"].strip().upper()
        if code and not re.fullmatch(r"[A-Z]{2}", code):
            raise ValidationError("Use the two-letter country code, e.g. US or MX.")
        return code

    def clean_regions(self) -> list[str]:
        return [r.strip().upper() for r in self.cleaned_data["regions"].split(",") if r.strip()]

    def clean_city(self) -> str:
        return " ".join(self.cleaned_data["city"].split())

    def clean_zip_prefix(self) -> str:
        prefix = self.cleaned_data["zip_prefix"].strip().upper()
        if prefix and not _ZIP_PREFIX.match(prefix):
            raise ValidationError("Use only letters, digits, spaces and dashes, e.g. 941 or 10001.")
        return prefix

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self._check_place(data)
        self._check_ranges(data)
        if data.get("never_gave"):
            clashes = [self.fields[k].label for k in GIVING if data.get(k) not in (None, False, "")]
            if clashes:
                self.add_error(
                    "never_gave",
                    "‘Never gave’ cannot be combined with a giving criterion: "
                    + "; ".join(str(c) for c in clashes)
                    + ".",
                )
        both = set(data.get("include_audiences") or []) & set(data.get("exclude_audiences") or [])
        if both:
            names = ", ".join(sorted(a.name for a in both))
            self.add_error("exclude_audiences", f"Checked both to include and to exclude: {names}.")
        elif "include_audiences" in data and "exclude_audiences" in data:
            self._check_nesting(data)
        return data

    def _check_place(self, data: dict[str, Any]) -> None:
        if data.get("country") == "US":
            wrong = [r for r in data.get("regions") or [] if r not in US_REGIONS]
            if wrong:
                self.add_error(
                    "regions", f"Not a US state code: {', '.join(wrong)}. Use two letters, e.g. CA."
                )

    def _check_ranges(self, data: dict[str, Any]) -> None:
        start, end = data.get("gave_from"), data.get("gave_to")
        if start and end and start > end:
            self.add_error("gave_to", "This date is before ‘Gave on or after’.")
        for low, high in (("highest_min", "highest_max"), ("lifetime_min", "lifetime_max")):
            if data.get(low) is not None and data.get(high) is not None and data[low] >= data[high]:
                self.add_error(high, "Must be more than the ‘at least’ amount, or nobody matches.")

    def _check_nesting(self, data: dict[str, Any]) -> None:
        """Refuse a cycle (A includes B, B excludes A) and nesting too deep to follow."""
        graph = {
            pk: audience_references(criteria)
            for pk, criteria in Audience.objects.values_list("pk", "criteria")
        }
        me = self.audience_id if self.audience_id is not None else 0  # 0: not saved yet
        graph[me] = [a.pk for name in AUDIENCE_LISTS for a in data.get(name) or []]
        names = dict(Audience.objects.values_list("pk", "name"))
        names[me] = "this audience"
        path = _cycle_or_depth(graph, me)
        if path is None:
            return
        field = "include_audiences" if data.get("include_audiences") else "exclude_audiences"
        chain = " → ".join(names.get(pk, f"#{pk}") for pk in path)
        if path[-1] == me:
            self.add_error(
                field, f"That would make a loop: {chain}. An audience cannot contain itself."
            )
        else:
            self.add_error(field, f"Audiences are nested more than {MAX_DEPTH} deep: {chain}.")


def _cycle_or_depth(graph: dict[int, list[int]], start: int) -> list[int] | None:
    """A path from `start` back to itself, or one deeper than MAX_DEPTH; None if neither."""
    stack: list[tuple[int, list[int]]] = [(start, [start])]
    while stack:
        node, path = stack.pop()
        for child in graph.get(node, []):
            if child == start or child in path:
                return [*path, child]
            if len(path) > MAX_DEPTH:
                return [*path, child]
            stack.append((child, [*path, child]))
    return None


def audience_references(criteria: dict[str, Any]) -> list[int]:
    """Ids of the audiences a criteria document includes or excludes."""
    return [int(pk) for name in AUDIENCE_LISTS for pk in (criteria or {}).get(name) or []]


def criteria_from_cleaned(data: dict[str, Any]) -> dict[str, Any]:
    """The JSON document for a valid form: only the criteria that were set."""
    document: dict[str, Any] = {}
    for name, value in data.items():
        if name in TAG_LISTS or name in AUDIENCE_LISTS:
            ids = sorted(item.pk for item in value or [])
            if ids:
                document[name] = ids
        elif value in (None, "", False, []):
            continue
        elif name in DATES:
            document[name] = value.isoformat()
        elif name in AMOUNTS:
            document[name] = str(value)
        else:
            document[name] = value
    return document


def criteria_as_data(criteria: dict[str, Any]) -> dict[str, Any]:
    """Form data for a saved document, to show it in the editor or check it again."""
    data: dict[str, Any] = {}
    for name, value in (criteria or {}).items():
        if name in FLAGS:
            if value:
                data[name] = True
        elif name == "regions":
            data[name] = ", ".join(value)
        elif isinstance(value, list):
            data[name] = [str(v) for v in value]
        else:
            data[name] = str(value)
    return data


def criteria_errors(criteria: Any, *, audience_id: int | None = None) -> dict[str, list[str]]:
    """Every problem with a criteria document, by criterion; empty when it is valid."""
    if not isinstance(criteria, dict):
        return {"criteria": ["The criteria must be a JSON object."]}
    unknown = sorted(set(criteria) - KEYS)
    if unknown:
        return {"criteria": [f"Unknown criterion: {', '.join(unknown)}."]}
    form = CriteriaForm(data=_as_query_data(criteria_as_data(criteria)), audience_id=audience_id)
    return {} if form.is_valid() else {k: list(v) for k, v in form.errors.items()}


def _as_query_data(data: dict[str, Any]) -> Any:
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for name, value in data.items():
        query.setlist(name, value if isinstance(value, list) else [value])
    return query


def as_decimal(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))
