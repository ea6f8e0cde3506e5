"""Rendering a letter for one recipient, as email (HTML with inlined CSS, plain text, headers)
and as the content of a printed letter. A CompiledVersion is made once per letter and language
and reused for every recipient, so a batch parses Markdown and templates once."""

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import css_inline
from django.conf import settings
from django.template.loader import get_template
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from core.models import Organisation
from mailings import content, merge_template
from mailings.models import Letter, LetterVersion

INLINER = css_inline.CSSInliner(keep_style_tags=True, load_remote_stylesheets=False)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    text: str
    headers: dict[str, str]


class CompiledVersion:
    """One language version of a letter, with every field parsed once."""

    def __init__(self, version: LetterVersion) -> None:
        self.version = version
        self.letter: Letter = version.letter
        self.language = version.language
        self.appeal_code = self.letter.effective_appeal_code
        self._text = {
            field: merge_template.ENGINE.from_string(getattr(version, field) or "")
            for field in ("subject", "preheader", "banner", "headline", "salutation_line",
                          "closing", "on_behalf_of")
        }  # fmt: skip
        self._body_html = merge_template.ENGINE.from_string(
            content.body_html_template(version.body)
        )
        self._body_text = merge_template.ENGINE.from_string(
            content.body_text_template(version.body)
        )
        self._ps_html = merge_template.ENGINE.from_string(content.inline_html_template(version.ps))
        self._ps_text = merge_template.ENGINE.from_string(content.body_text_template(version.ps))

    @cached_property
    def signatories(self) -> list[Any]:
        return [
            link.signatory for link in self.letter.lettersignatory_set.select_related("signatory")
        ]

    def fields(self, values: dict[str, Any]) -> dict[str, str]:
        """Every part of the letter for these values: text parts unescaped, HTML parts escaped."""
        from django.template import Context

        with translation.override(self.language):
            plain = Context(values, autoescape=False)
            html = Context(values, autoescape=True)
            parts = {name: " ".join(t.render(plain).split()) for name, t in self._text.items()}
            parts["on_behalf_of"] = self._text["on_behalf_of"].render(plain).strip()
            parts["body_html"] = self._body_html.render(html)
            parts["body_text"] = self._body_text.render(plain).strip()
            parts["ps_html"] = self._ps_html.render(html).strip()
            parts["ps_text"] = self._ps_text.render(plain).strip()
        return parts


def compile_letter(letter: Letter) -> dict[str, CompiledVersion]:
    return {v.language: CompiledVersion(v) for v in letter.versions.select_related("letter")}


def render_email(
    compiled: CompiledVersion, values: dict[str, Any], *, organisation: Organisation
) -> RenderedEmail:
    parts = compiled.fields(values)
    context = {
        **parts,
        "body_html": mark_safe(parts["body_html"]),  # noqa: S308 - sanitised, values escaped
        "ps_html": mark_safe(parts["ps_html"]),  # noqa: S308 - sanitised, values escaped
        "signatories": compiled.signatories,
        "organisation": organisation,
        "unsubscribe_url": values.get("unsubscribe_url", ""),
        "donate_url": values.get("donate_url", ""),
        "ask_amount": values.get("ask_amount", ""),
        "language": compiled.language,
    }
    with translation.override(compiled.language):
        html = get_template("mailings/email.html").render(context)
        text = get_template("mailings/email.txt").render(context)
    unsubscribe = values.get("unsubscribe_url", "")
    headers = {"X-Appeal-Code": compiled.appeal_code} if compiled.appeal_code else {}
    if unsubscribe:
        mailto = settings.UNSUBSCRIBE_MAILTO
        links = f"<{unsubscribe}>" + (f", <mailto:{mailto}?subject=unsubscribe>" if mailto else "")
        headers["List-Unsubscribe"] = links
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return RenderedEmail(
        subject=parts["subject"] or strip_tags(parts["headline"]),
        html=INLINER.inline(html),
        text=text.strip() + "\n",
        headers=headers,
    )
