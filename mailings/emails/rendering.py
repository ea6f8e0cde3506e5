"""A letter as email for one recipient: HTML with inlined CSS, the text part and the
headers, from a compiled letter (mailings.letters.rendering)."""

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import css_inline
from django.conf import settings
from django.template import Context, Template
from django.template.loader import get_template
from django.utils import translation
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core.models import Organisation
from mailings.emails.text_part import body_text_template
from mailings.letters import content, merge_template
from mailings.letters.content import MergeTagsSetAside
from mailings.letters.merge_fields import CHANNEL_EMAIL
from mailings.letters.rendering import TEXT_FIELDS, CompiledVersion
from mailings.models import Letter

INLINER = css_inline.CSSInliner(keep_style_tags=True, load_remote_stylesheets=False)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    text: str
    headers: dict[str, str]


def render_email(
    compiled: CompiledVersion, values: dict[str, Any], *, organisation: Organisation
) -> RenderedEmail:
    """One message: a single render of the letter's email skeleton per part (see
    EmailSkeleton), so a send of thousands parses and inlines nothing per recipient."""
    skeleton = email_skeleton(compiled, organisation)
    values = {**values, "channel": CHANNEL_EMAIL}  # `{% if channel == "print" %}` is false
    subject = compiled.subject(values)
    with translation.override(compiled.language):
        html = skeleton.html.render(Context(values, autoescape=True))
        text = skeleton.text.render(Context(values, autoescape=False))
    unsubscribe = values.get("unsubscribe_url", "")
    headers = {"X-Appeal-Code": compiled.appeal_code} if compiled.appeal_code else {}
    if unsubscribe:
        mailto = settings.UNSUBSCRIBE_MAILTO
        links = f"<{unsubscribe}>" + (f", <mailto:{mailto}?subject=unsubscribe>" if mailto else "")
        headers["List-Unsubscribe"] = links
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return RenderedEmail(
        subject=subject or strip_tags(values.get("organisation_name", "")),
        html=html,
        text=_tidy_text(text),
        headers=headers,
    )


@dataclass(frozen=True)
class EmailSkeleton:
    """The whole email as one merge template: the email layout rendered once for the letter's
    language with each part's merge text left in place, CSS inlined once, then compiled. Per
    recipient only the merge values are filled in (escaped in the HTML part)."""

    html: Template
    text: Template


def email_skeleton(compiled: CompiledVersion, organisation: Organisation) -> EmailSkeleton:
    """Built on a compiled letter's first email and kept with it for the rest of the batch."""
    if "email" not in compiled.built:
        compiled.built["email"] = build_email_skeleton(compiled, organisation)
    return compiled.built["email"]


def build_email_skeleton(compiled: CompiledVersion, organisation: Organisation) -> EmailSkeleton:
    version = compiled.version
    raw = {field: getattr(version, field) or "" for field in TEXT_FIELDS}
    # The letter's merge tags are set aside while the layout renders: anything else the layout
    # prints (the organisation's name and address, signatories' names) is text, and must not
    # become merge code when the result is compiled ('{% load %}' in a name would fail every
    # email of every letter). See _not_merge_code.
    kept = MergeTagsSetAside()
    html_parts = {name: mark_safe(kept(_escape_text_keep_tags(text))) for name, text in raw.items()}  # noqa: S308
    # A thank-you (mailings.thanks) goes with a receipt: no donate button, no unsubscribe.
    appeal = compiled.letter.purpose == Letter.Purpose.APPEAL
    layout = {
        "organisation": organisation,
        "logo_url": f"{settings.SITE_URL}{organisation.logo.url}" if organisation.logo else "",
        "signatories": compiled.signatories,
        "language": compiled.language,
        "unsubscribe_url": mark_safe(kept("{{ unsubscribe_url }}")) if appeal else "",  # noqa: S308
        "donate_url": mark_safe(kept("{{ donate_url }}")) if appeal else "",  # noqa: S308
        "ask_amount": mark_safe(kept("{{ ask_amount }}")),  # noqa: S308 - a merge tag
    }
    with translation.override(compiled.language):
        body = _with_appeal_code(
            _link_fields_as_links(content.body_html_template(version.body)),
            compiled.appeal_code,
            organisation,
        )
        html = get_template("mailings/email.html").render({
            **layout, **html_parts,
            "body_html": mark_safe(kept(body)),  # noqa: S308 - sanitised HTML
            "ps_html": mark_safe(kept(content.inline_html_template(version.ps))),  # noqa: S308
        })  # fmt: skip
        text = get_template("mailings/email.txt").render({
            **layout, **{name: kept(text) for name, text in raw.items()},
            "body_text": kept(body_text_template(version.body)),
            "ps_text": kept(body_text_template(version.ps)),
        })  # fmt: skip
    # After inlining: its HTML serialiser would turn the entity back into a brace.
    html = kept.restore(_not_merge_code(_inline_keep_tags(html), "&#123;"))
    text = kept.restore(_not_merge_code(text, '{{ "{" }}'))
    return EmailSkeleton(
        html=merge_template.ENGINE.from_string(html),
        text=merge_template.ENGINE.from_string(text),
    )


def _not_merge_code(text: str, brace: str) -> str:
    """'{{', '{%' and '{#' that are not the letter's own tags print as typed: in HTML the brace
    is an entity, in the text part a merge tag that prints a brace."""
    return re.sub(r"{(?=[{%#])", lambda _m: brace, text)


# A personal link typed as text ("give today at {{ donate_url }}") would show its whole signed
# token: some 170 characters that a phone cannot wrap (the email grows wider than the screen)
# and that not every client makes clickable. In the email it becomes a link reading as a short
# address; the printed letter has its own short form (mailings.printing.printed_letter).
_LINK_FIELD = re.compile(r"{{\s*(donate_url|preferences_url|unsubscribe_url|account_url)\s*}}")
_ANCHOR = re.compile(r"<a\b.*?</a>", re.DOTALL | re.IGNORECASE)


def _link_fields_as_links(html: str) -> str:
    labels = {
        "donate_url": f"{content.bare_address(settings.SITE_URL)}/donate",
        "preferences_url": _("your email preferences"),
        "unsubscribe_url": _("unsubscribe"),
        "account_url": _("your account"),
    }

    def as_link(match: re.Match) -> str:
        return f'<a href="{match.group(0)}">{escape(labels[match.group(1)])}</a>'

    out, position = [], 0
    for anchor in _ANCHOR.finditer(html):  # tags already inside a link stay as they are
        out += [_LINK_FIELD.sub(as_link, html[position : anchor.start()]), anchor.group(0)]
        position = anchor.end()
    return "".join([*out, _LINK_FIELD.sub(as_link, html[position:])])


def _with_appeal_code(html: str, code: str, organisation: Organisation) -> str:
    """Links to this site or the organisation's website carry the appeal code, so a visit
    (and a gift) can be traced to the letter. Other sites' links are left as written."""
    if not code:
        return html
    ours = {urlsplit(settings.SITE_URL).netloc, urlsplit(organisation.website or "").netloc} - {""}

    def tag(match: re.Match) -> str:
        url = match.group(1)
        parts = urlsplit(url)
        if parts.netloc not in ours or "appeal=" in parts.query:
            return match.group(0)
        query = "&amp;".join(q for q in (parts.query, f"appeal={code}") if q)
        return f'href="{urlunsplit(parts._replace(query=query))}"'

    return re.sub(r'href="(https?://[^"{}]+)"', tag, html)


def _escape_text_keep_tags(source: str) -> str:
    """HTML-escape a merge template's own text, leaving its tags to escape their values."""
    out, position = [], 0
    for match in content.TAG.finditer(source):
        out += [escape(source[position : match.start()]), match.group(0)]
        position = match.end()
    return "".join([*out, escape(source[position:])])


def _inline_keep_tags(html: str) -> str:
    """Inline CSS without letting the HTML serialiser touch merge tags ('>' in an if)."""
    aside = MergeTagsSetAside()
    return aside.restore(INLINER.inline(aside(html)))


def _tidy_text(text: str) -> str:
    """Blank lines left by empty parts collapse to one."""
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
