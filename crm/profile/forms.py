"""The profile's small forms: each names only what staff type; the rest comes from the page."""

from django import forms
from django.utils import timezone

from crm.models import Interaction
from crm.profile.selectors import assignable_staff


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user: object) -> str:
        return user.get_full_name() or user.get_username()


class NoteForm(forms.Form):
    text = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3}))


class TaskForm(forms.Form):
    title = forms.CharField(label="What to do", max_length=200)
    due_on = forms.DateField(label="Due", widget=forms.DateInput(attrs={"type": "date"}))
    assigned_to = StaffChoiceField(label="For", queryset=None)

    def __init__(self, *args, user: object, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = assignable_staff()
        self.fields["assigned_to"].initial = getattr(user, "pk", None)


class InteractionForm(forms.Form):
    kind = forms.ChoiceField(label="What", choices=Interaction.Kind.choices)
    happened_on = forms.DateField(
        label="Date", initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    staff = StaffChoiceField(label="Who", queryset=None, required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    follow_up = forms.CharField(label="Follow-up task", max_length=200, required=False,
                                help_text="Leave blank for none.")  # fmt: skip
    follow_up_due = forms.DateField(label="Due", required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    follow_up_to = StaffChoiceField(label="For", queryset=None, required=False)

    def __init__(self, *args, user: object, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("staff", "follow_up_to"):
            self.fields[name].queryset = assignable_staff()
            self.fields[name].initial = getattr(user, "pk", None)

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("follow_up", "").strip() and not cleaned.get("follow_up_due"):
            self.add_error("follow_up_due", "Give the follow-up task a due date.")
        return cleaned
