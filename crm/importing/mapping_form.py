"""The mapping step's forms: one select per column of the file (crm.importing.mapping), and
the saved mapping picked on the upload form."""

from collections.abc import Iterator, Sequence
from typing import Any

from django import forms

from crm.importing.mapping import ColumnFields, FileSample, column_name
from crm.models import ImportMapping

DONT_IMPORT = "Don't import"


class ColumnsForm(forms.Form):
    save_as = forms.CharField(
        label="Save this mapping as",
        required=False,
        max_length=100,
        help_text="Optional. Give it a name, such as 'Bloomerang export', and the next file "
        "with these columns can use it: pick it on the upload page (a file whose headers "
        "match is offered it here), or run manage.py import_file FILE --mapping NAME.",
    )

    def __init__(
        self,
        *args: Any,
        fields: ColumnFields,
        sample: FileSample,
        initial_columns: Sequence[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sample = sample
        choices: list[Any] = [("", DONT_IMPORT)]
        choices += [(group, list(options)) for group, options in fields.groups]
        for index in range(len(sample.headers)):
            self.fields[_name(index)] = forms.ChoiceField(
                choices=choices,
                required=False,
                initial=initial_columns[index] if index < len(initial_columns) else "",
                label=column_name(sample.headers, index),
            )

    def columns(self) -> list[str]:
        return [self.cleaned_data[_name(i)] for i in range(len(self.sample.headers))]

    def lines(self) -> Iterator[dict[str, Any]]:
        """One line of the page per column: its header, sample values and select."""
        for index, samples in enumerate(self.sample.samples):
            field = self[_name(index)]
            yield {"number": index + 1, "field": field, "samples": samples}


def saved_mapping_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=ImportMapping.objects.all(),
        required=False,
        label="Saved column mapping",
        empty_label="None: read the columns by their headers",
        help_text="A mapping saved from an earlier file of the same system. Its columns are "
        "used for this file; you choose any it does not name.",
    )


def _name(index: int) -> str:
    return f"column_{index}"
