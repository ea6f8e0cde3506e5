"""'Bring in a letter' on the Letter list: a Word file, a text or Markdown file, or text pasted
from Word or Google Docs, made into a letter as `manage.py import_letter` does. Staff only (the
add permission); board members get 403. A refused file changes nothing."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from mailings.letters.bring_in import (
    MAX_BYTES,
    SUFFIXES,
    BringInError,
    name_problem,
    recognized,
    text_from_file,
    text_from_paste,
)
from mailings.letters.from_text import letter_from_text
from mailings.letters.services import letter_create_from_text
from mailings.models import LANGUAGES


class BringInForm(forms.Form):
    name = forms.CharField(
        max_length=200,
        help_text="Staff only: supporters never see it.",
        widget=forms.TextInput(attrs={"size": 50}),
    )
    language = forms.ChoiceField(choices=LANGUAGES, initial="en")
    file = forms.FileField(
        required=False,
        help_text=f"A Word file (.docx), text or Markdown (.txt, .md), up to "
        f"{MAX_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(SUFFIXES)}),
    )
    text = forms.CharField(
        required=False,
        label="Or paste the letter",
        widget=forms.Textarea(attrs={"rows": 14, "cols": 90}),
        help_text="From Word, Google Docs or an email: paragraphs separated by a blank line.",
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if problem := name_problem(name):
            raise ValidationError(problem)
        return name

    def clean(self) -> dict:
        data = super().clean()
        upload, pasted = data.get("file"), (data.get("text") or "").strip()
        if upload and pasted:
            raise ValidationError("Bring in a file or pasted text, not both.")
        if upload:
            if upload.size > MAX_BYTES:
                raise ValidationError(f"{upload.name} is larger than {MAX_BYTES // 1048576} MB.")
            try:
                data["letter_text"] = text_from_file(upload.name, upload.read())
            except BringInError as error:
                raise ValidationError(str(error)) from None
        elif pasted:
            data["letter_text"] = text_from_paste(pasted)
        elif not self.errors:
            raise ValidationError("Choose a file or paste the letter's text.")
        return data


def bring_in(model_admin) -> Callable[[HttpRequest], HttpResponse]:
    def view(request: HttpRequest) -> HttpResponse:
        if not model_admin.has_add_permission(request):
            raise PermissionDenied
        form = BringInForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            text = form.cleaned_data["letter_text"]
            try:
                letter = letter_create_from_text(
                    name=form.cleaned_data["name"], text=text,
                    language=form.cleaned_data["language"],
                )  # fmt: skip
            except ValidationError as error:
                form.add_error(None, f"Not brought in: {' '.join(error.messages)}")
            else:
                found = " · ".join(f"{k}: {v}" for k, v in recognized(letter_from_text(text)) if v)
                messages.success(request, f"Brought in “{letter.name}”. Recognized: {found}")
                return redirect(reverse("admin:mailings_letter_change", args=[letter.pk]))
        context = {
            **model_admin.admin_site.each_context(request),
            "title": "Bring in a letter",
            "opts": model_admin.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/mailings/letter/bring_in.html", context)

    return view
