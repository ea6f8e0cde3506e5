"""Turning a letter's Markdown into the template it is rendered from: sanitised HTML, for the
email and the PDF alike (the email's text part is mailings.emails.text_part). Done once per
letter and language, not per recipient.

Merge tags are set aside before Markdown runs (so `{{ last_gift_amount }}`'s underscores are
not read as emphasis, and a tag can stand where a link's address goes), and put back after
nh3 has cleaned the HTML. Staff-written HTML therefore passes the sanitiser; the values that
fill the tags are escaped when rendered.
"""

import re
import secrets

import markdown
import nh3

TAG = re.compile(r"{{.*?}}|{%.*?%}", re.DOTALL)
ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "a", "ul", "ol", "li", "blockquote",
    "h2", "h3", "h4", "hr", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


class MergeTagsSetAside:
    """Merge tags swapped for placeholders while something that must not read them works on
    the text (Markdown, the sanitiser, the CSS inliner's HTML serialiser, the email layout),
    then put back. One instance may set aside several texts and restore the joined result.

    Each instance marks its placeholders with its own random word, so set-asides nest (the
    email layout's tags around a body whose tags were set aside for Markdown) and text a writer
    types that looks like a placeholder stays as typed."""

    def __init__(self) -> None:
        self.tags: list[str] = []
        # Letters and digits only: nothing Markdown, nh3 or an HTML serialiser would change.
        self._mark = f"zz{secrets.token_hex(4)}t"
        self._placeholder = re.compile(rf"{self._mark}(\d+)zz")

    def __call__(self, text: str) -> str:
        """The text with each merge tag replaced by a placeholder."""

        def set_aside(match: re.Match) -> str:
            self.tags.append(match.group(0))
            return f"{self._mark}{len(self.tags) - 1}zz"

        return TAG.sub(set_aside, text)

    def restore(self, text: str) -> str:
        """Each placeholder replaced by the tag it stands for."""

        def put_back(match: re.Match) -> str:
            index = int(match.group(1))
            return self.tags[index] if index < len(self.tags) else match.group(0)

        return self._placeholder.sub(put_back, text)


def body_html_template(source: str) -> str:
    """Markdown with merge tags -> sanitised HTML that still holds the merge tags."""
    aside = MergeTagsSetAside()
    html = markdown.markdown(aside(source or ""), extensions=["sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return aside.restore(clean)


def inline_html_template(source: str) -> str:
    """A one-line field (the P.S., a headline) with Markdown emphasis and links, as inline HTML."""
    html = body_html_template(source)
    return re.sub(r"^<p>(.*)</p>$", r"\1", html.strip(), flags=re.DOTALL)


def bare_address(url: str) -> str:
    """An address as a reader types it: no scheme, no trailing slash."""
    return re.sub(r"^(https?://|mailto:|tel:)", "", url.strip(), flags=re.IGNORECASE).rstrip("/")
