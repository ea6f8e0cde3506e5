"""A letter's language version compiled once, for any recipient and any channel: each field's
merge template parsed once per letter and language and reused for every recipient, so a batch
parses Markdown and templates once. Email (mailings.emails) and paper (mailings.printing) render
from a CompiledVersion."""

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.template import Context
from django.utils import translation

from mailings.letters import content, merge_template
from mailings.models import Letter, LetterVersion

# The one-line fields, rendered as text with their whitespace collapsed.
TEXT_FIELDS = (
    "subject", "preheader", "banner", "headline", "salutation_line", "closing", "on_behalf_of",
)  # fmt: skip


@dataclass(frozen=True)
class ShownSignatory:
    name: str
    title: str
    signature: Any  # the Signatory's image field file (falsy when none was uploaded)


class CompiledVersion:
    """One language version of a letter, with every field parsed once."""

    def __init__(self, version: LetterVersion) -> None:
        self.version = version
        self.letter: Letter = version.letter
        self.language = version.language
        self.appeal_code = self.letter.effective_appeal_code
        # What a channel builds once from this version and reuses for every recipient (the
        # email skeleton), kept here so it lives as long as the compiled letter.
        self.built: dict[str, Any] = {}
        self._text = {
            field: merge_template.ENGINE.from_string(getattr(version, field) or "")
            for field in TEXT_FIELDS
        }
        self._body_html = merge_template.ENGINE.from_string(
            content.body_html_template(version.body)
        )
        self._ps_html = merge_template.ENGINE.from_string(content.inline_html_template(version.ps))

    @cached_property
    def signatories(self) -> list[Any]:
        """Each signer as the letter's language shows them (a Spanish title when staff gave
        one)."""
        return [
            ShownSignatory(
                name=link.signatory.name,
                title=link.signatory.title_in(self.language),
                signature=link.signatory.signature,
            )
            for link in self.letter.lettersignatory_set.select_related("signatory")
        ]

    def subject(self, values: dict[str, Any]) -> str:
        with translation.override(self.language):
            return " ".join(self._text["subject"].render(Context(values, autoescape=False)).split())

    def fields(self, values: dict[str, Any]) -> dict[str, str]:
        """Every part of the letter for these values: text parts unescaped, HTML parts escaped."""
        with translation.override(self.language):
            plain = Context(values, autoescape=False)
            html = Context(values, autoescape=True)
            parts = {name: " ".join(t.render(plain).split()) for name, t in self._text.items()}
            parts["on_behalf_of"] = self._text["on_behalf_of"].render(plain).strip()
            parts["body_html"] = self._body_html.render(html)
            parts["ps_html"] = self._ps_html.render(html).strip()
        return parts


def compile_letter(letter: Letter) -> dict[str, CompiledVersion]:
    return {v.language: CompiledVersion(v) for v in letter.versions.select_related("letter")}
