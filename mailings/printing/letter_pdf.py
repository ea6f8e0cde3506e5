"""The printed appeal letter: letterhead, date, the address placed for a window envelope,
greeting, body, signatures side by side, 'on behalf of', P.S., page numbers from page 2
(restarting for each letter) and a tear-off reply slip, in the letter's language.

Many letters go into one HTML document (one WeasyPrint layout per print-shop chunk), each
starting on a new sheet; with duplex_safe each starts on a front side (`break-before: right`,
which makes WeasyPrint add a blank back page after a letter with an odd page count).

Where the address goes, and why: for the organization's window envelope
(mailings.printing.envelopes, which holds the envelopes' measurements, the sheet's play in them
and the tap test). On a #10 envelope the block is centred in the part of the window that always
shows the same part of the sheet, or, when taller than that, keeps its last line (city, state,
ZIP: what the sorters read) 1/8 in above the window's bottom edge with the sheet resting on the
envelope's bottom; its text starts 1/8 in inside the window's left edge and is no wider than
stays in the window with the sheet pushed to the envelope's right side. A taller block grows
upward. The date stands level with the address's first line, out of the window's sight.
- A4, DIN 5008 form B: address field 45 mm from the top and 20 mm from the left edge, 85 x 45
  mm; its first 17.7 mm (the "Zusatz- und Vermerkzone") hold the return address, written upward
  from the line at 62.7 mm, and the recipient is written downward from that line in the
  27.3 mm "Anschriftzone"; text starts 25 mm from the left edge. Fold marks at 105 and 210 mm
  and the punch mark at 148.5 mm go in the left margin, where the standard puts them.
The preview can draw the window over the page (`window_overlay`); the print run never does.
The reply slip sits at the foot of the last page, below the second fold (7 1/3 in on Letter,
210 mm on A4), and is only as tall as it needs to be, so a one-page letter keeps its slip on its
one sheet; torn off along its dashed line it fits a #9 or DL reply envelope. When the text
leaves no room for it, the slip goes whole onto a page of its own, never cut in two.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import unescape
from typing import Any

from django.template.loader import render_to_string
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from core.pdf import MeasuredPdf, render_pdf, render_pdf_measured
from core.stored_files import document_url
from mailings.letters.content import bare_address
from mailings.printing.envelopes import (
    DEFAULT_FOR_PAPER,
    INCH,
    MM,
    Envelope,
    address_placement,
    envelope_for,
)

LABELS = {
    "en": {
        "on_behalf_of": "On behalf of:", "ps": "P.S.", "page": "Page",
        "return": "Please return this slip with your gift",
        "yes": "Yes, I will help with a gift of:", "other": "Other",
        "monthly": "Make it a monthly gift", "payable": "Please make checks payable to",
        "code": "Code", "online": "Or give online at", "mail_to": "Mail to",
        "tax_id": "Tax ID (EIN)", "correct": "Please correct if needed.",
    },
    "es": {
        "on_behalf_of": "En nombre de:", "ps": "P.D.", "page": "Página",
        "return": "Devuelva este cupón con su donación",
        "yes": "Sí, ayudaré con una donación de:", "other": "Otra cantidad",
        "monthly": "Deseo que mi donación sea mensual",
        "payable": "Extienda los cheques a nombre de", "code": "Código",
        "online": "O done en línea en", "mail_to": "Envíelo a", "tax_id": "N.º fiscal (EIN)",
        "correct": "Corríjalo si es necesario.",
    },
}  # fmt: skip
# The body's line pitch, 10.5 pt on 1.36 lines (letter_pdf.html): the spill warning's unit.
LINE_PITCH = 10.5 * 1.36
# Lengths are relative to the top-left corner of the first page's content box (the page
# margin is added back in the comments, which give the position on the sheet); the address's
# place comes from the envelope (address_css).
PAPER = {
    "letter": {
        "size": "letter", "margin": "0.6in 1in 0.5in 1in",
        "margin_top": 0.6 * INCH, "margin_left": 1 * INCH, "content_width": 6.5 * INCH,
        "content_bottom": 10.5 * INCH,
        "head_height": 2.75 * INCH,  # the greeting starts 3.35 in down, above the first fold
        "return_line": "", "marks": (),
        "slip_height": "2.05in",  # its cut line 8.45 in down, below the second fold (7 1/3 in)
    },
    "a4": {
        "size": "A4", "margin": "15mm 20mm 13mm 25mm",
        "margin_top": 15 * MM, "margin_left": 25 * MM, "content_width": 165 * MM,
        "content_bottom": 284 * MM,
        "head_height": 83.4 * MM,  # the greeting starts at 98.4 mm
        "return_line": "bottom: 35.7mm; width: 80mm",  # ends at 62.7 mm
        "marks": ("90mm", "133.5mm", "195mm"),  # 105 mm, 148.5 mm (punch), 210 mm
        "slip_height": "52mm",  # its cut line 232 mm down, below the second fold (210 mm)
    },
}  # fmt: skip
_LINK = re.compile(r"<a\b[^>]*?\bhref=([\"'])(.*?)\1[^>]*>(.*?)</a>", re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True)
class Signatory:
    name: str
    title: str
    signature_url: str = ""  # e.g. "/media/signatures/a.png", fetched through core.pdf


@dataclass(frozen=True)
class ReplySlip:
    name: str
    address_lines: tuple[str, ...]
    asks: tuple[str, ...]  # already formatted: "$50"
    appeal_code: str
    monthly_option: bool = True
    donate_url: str = ""  # printed as the 'give online' address; the website when empty


@dataclass(frozen=True)
class PrintedLetter:
    language: str
    date_text: str
    addressee: str
    address_lines: tuple[str, ...]
    banner: str = ""
    headline: str = ""
    salutation_line: str = "Dear friend,"
    body_html: SafeString | str = ""  # sanitised upstream
    closing: str = "With gratitude,"
    signatories: tuple[Signatory, ...] = ()
    on_behalf_of: str = ""
    ps: SafeString | str = ""  # sanitised upstream
    reply_slip: ReplySlip | None = None
    supporter_id: int | None = None  # printed small on the reply slip, for data entry


def letters_html(
    letters: Sequence[PrintedLetter],
    *,
    organisation: Any,
    paper: str = "letter",
    duplex_safe: bool = False,
    envelope: Envelope | None = None,
    window_overlay: bool = False,
) -> str:
    """One HTML document holding every letter, each starting on a new sheet. Elements the
    print check reads back are marked data-measure="<part> <letter's index>" (the text's
    parts also under their own names: body, signoff, ps)."""
    layout = PAPER.get(paper, PAPER["letter"])
    envelope = _envelope(organisation, paper, envelope)
    items = [
        {
            "letter": letter,
            "labels": LABELS.get(letter.language, LABELS["en"]),
            "body": links_written_out(letter.body_html),
            "ps": links_written_out(letter.ps),
            "online": bare_address(letter.reply_slip.donate_url) if letter.reply_slip else "",
        }
        for letter in letters
    ]
    return render_to_string(
        "mailings/letter_pdf.html",
        {
            "items": items,
            "language": letters[0].language if letters else "en",
            "organisation": organisation,
            "logo_url": document_url(organisation.logo) if organisation.logo else "",
            "organisation_lines": [
                line.strip() for line in (organisation.address or "").splitlines() if line.strip()
            ],
            "website": bare_address(organisation.website or ""),
            "layout": layout,
            "where": address_css(envelope, layout),
            "overlay": window_drawing(envelope, layout) if window_overlay else None,
            "duplex_safe": duplex_safe,
        },
    )


def _envelope(organisation: Any, paper: str, envelope: Envelope | None) -> Envelope:
    envelope = envelope or envelope_for(organisation)
    if envelope.paper != paper:  # a layout asked for the other paper (a test, a sample)
        envelope = DEFAULT_FOR_PAPER.get(paper, envelope)
    return envelope


def address_css(envelope: Envelope, layout: dict[str, Any]) -> dict[str, str]:
    """The address block's place for this envelope, as lengths (pt) from the top-left corner
    of the first page's content box, which is where the letter's head starts."""
    place = address_placement(envelope)
    top, left = layout["margin_top"], layout["margin_left"]
    if place.top is not None:
        where = f"top: {place.top - top:.2f}pt"
        band = 0.0
    else:  # anchored by its foot, so a block taller than the band grows upward
        where = f"bottom: {layout['head_height'] - (place.band_bottom - top):.2f}pt"
        band = max(place.band_bottom - place.band_top, 0.0)
    right_gap = layout["content_width"] - (place.left - left) - place.width
    return {
        "where": where,
        "band": f"{band:.2f}pt",
        "left": f"{place.left - left:.2f}pt",
        "width": f"{place.width:.2f}pt",
        "date_right": f"{-right_gap:.2f}pt",
        "head_height": f"{layout['head_height']:.2f}pt",
    }


def window_drawing(envelope: Envelope, layout: dict[str, Any]) -> list[dict[str, str]]:
    """Rectangles for the preview: the address window with the sheet resting on the
    envelope's bottom (dashed), the part of the sheet it always shows (shaded), and a double
    window's return-address window (dashed, grey)."""
    top, left = layout["margin_top"], layout["margin_left"]
    shapes = [("rest", envelope.window_on_sheet()), ("band", envelope.always_visible())]
    if envelope.return_window is not None:
        shapes.append(("return", envelope.window_on_sheet(window=envelope.return_window)))
    return [
        {
            "kind": kind,
            "style": f"left: {rect.left - left:.2f}pt; top: {rect.top - top:.2f}pt; "
            f"width: {max(rect.width, 0):.2f}pt; height: {max(rect.height, 0):.2f}pt",
            "note": f"left: {rect.left - left:.2f}pt; top: {rect.top - top - 9:.2f}pt",
        }
        for kind, rect in shapes
    ]


def letters_pdf(
    letters: Sequence[PrintedLetter],
    *,
    organisation: Any,
    paper: str = "letter",
    duplex_safe: bool = False,
    time_limit: float = 120,
    envelope: Envelope | None = None,
) -> bytes:
    html = letters_html(
        letters, organisation=organisation, paper=paper, duplex_safe=duplex_safe,
        envelope=envelope,
    )  # fmt: skip
    return render_pdf(html, time_limit=time_limit)


def letters_pdf_measured(
    letters: Sequence[PrintedLetter],
    *,
    organisation: Any,
    paper: str = "letter",
    duplex_safe: bool = False,
    time_limit: float = 120,
    envelope: Envelope | None = None,
    window_overlay: bool = False,
) -> MeasuredPdf:
    """letters_pdf, with where each letter's parts landed (mailings.printing.print_check)."""
    html = letters_html(
        letters, organisation=organisation, paper=paper, duplex_safe=duplex_safe,
        envelope=envelope, window_overlay=window_overlay,
    )  # fmt: skip
    return render_pdf_measured(html, time_limit=time_limit)


def links_written_out(html: str) -> SafeString:
    """Safe HTML with each link's address written after its text ("Give online
    (example.org/donate/)"), since paper cannot be clicked; a link that already shows its
    address is left alone."""

    def written_out(match: re.Match) -> str:
        address = bare_address(unescape(match.group(2)))
        if not address or address in bare_address(unescape(strip_tags(match.group(3)))):
            return match.group(0)
        return f'{match.group(0)}<span class="url"> ({escape(address)})</span>'

    return mark_safe(_LINK.sub(written_out, str(html)))  # noqa: S308 - input is safe, address escaped
