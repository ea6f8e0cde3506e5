"""The email's text part: a letter's Markdown as plain text that still holds the merge tags.
Done once per letter and language, like the HTML (mailings.letters.content)."""

import re

from mailings.letters.content import URL_SCHEMES

_LINK = re.compile(r"\[([^\]]+)\]\(((?:{{.*?}}|[^)\s])+)\)")
_HTML_TAG = re.compile(r"<[^>]*>")
_EMPHASIS = re.compile(r"(\*\*|__|\*)(?=\S)(.+?)(?<=\S)\1")
_HEADING = re.compile(r"^#{1,6}\s+", re.MULTILINE)


def body_text_template(source: str) -> str:
    """Markdown with merge tags -> the plain-text part: links written out, emphasis marks
    dropped, lists and quotes kept as typed (Markdown reads well as text)."""
    text = _HTML_TAG.sub("", source or "")  # raw HTML has no place in the text part
    text = _LINK.sub(_written_out, text)
    text = _EMPHASIS.sub(lambda m: m.group(2), text)
    return _HEADING.sub("", text).strip()


def _written_out(match: re.Match) -> str:
    label, url = match.group(1), match.group(2)
    safe = url.startswith("{{") or url.split(":", 1)[0].lower() in URL_SCHEMES
    return f"{label} ({url})" if safe else label
