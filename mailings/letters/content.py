"""Turning a letter's Markdown into the template it is rendered from: sanitised HTML, for the
email and the PDF alike (the email's text part is mailings.emails.text_part). Done once per
letter and language, not per recipient.

Merge tags are set aside before Markdown runs (so `{{ last_gift_amount }}`'s underscores are
not read as emphasis, and a tag can stand where a link's address goes), and put back after
nh3 has cleaned the HTML. Staff-written HTML therefore passes the sanitiser; the values that
fill the tags are escaped when rendered.
"""

import re

import markdown
import nh3

TAG = re.compile(r"{{.*?}}|{%.*?%}", re.DOTALL)
ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "a", "ul", "ol", "li", "blockquote",
    "h2", "h3", "h4", "hr", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


_PLACEHOLDER = "zzmerge{}zz"
_PLACEHOLDER_RE = re.compile(r"zzmerge(\d+)zz")


def body_html_template(source: str) -> str:
    """Markdown with merge tags -> sanitised HTML that still holds the merge tags."""
    tags: list[str] = []

    def set_aside(match: re.Match) -> str:
        tags.append(match.group(0))
        return _PLACEHOLDER.format(len(tags) - 1)

    protected = TAG.sub(set_aside, source or "")
    html = markdown.markdown(protected, extensions=["sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return _PLACEHOLDER_RE.sub(lambda m: tags[int(m.group(1))], clean)


def inline_html_template(source: str) -> str:
    """A one-line field (the P.S., a headline) with Markdown emphasis and links, as inline HTML."""
    html = body_html_template(source)
    return re.sub(r"^<p>(.*)</p>$", r"\1", html.strip(), flags=re.DOTALL)


def bare_address(url: str) -> str:
    """An address as a reader types it: no scheme, no trailing slash."""
    return re.sub(r"^(https?://|mailto:|tel:)", "", url.strip(), flags=re.IGNORECASE).rstrip("/")
