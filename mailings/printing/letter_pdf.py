"""The printed appeal letter: letterhead, date, the address placed for a window envelope,
greeting, body, signatures side by side, 'on behalf of', P.S., page numbers from page 2
(restarting for each letter) and a tear-off reply slip, in the letter's language.

Many letters go into one HTML document (one WeasyPrint layout per print-shop chunk), each
starting on a new sheet; with duplex_safe each starts on a front side (`break-before: right`,
which makes WeasyPrint add a blank back page after a letter with an odd page count).

Where the address goes, and why:
- US Letter in a #10 window envelope (4 1/8 x 9 1/2 in). The stock window is 4 1/2 x 1 1/8 in,
  7/8 in from the left and 1/2 in from the bottom (envelope makers' "1 1/8 x 4 1/2, 7/8 L,
  1/2 B"). A sheet folded in thirds has a 3 2/3 in address panel; with the fold resting on the
  envelope's bottom the window shows the panel from 2.042 to 3.167 in below the sheet's top
  edge, and from 0.875 to 5.375 in across (PostalMethods' developer guide gives the same
  2.042 in). USPS DMM 601.6.3 wants the whole address visible, 1/8 in clear of the window's
  edges, "when the insert is moved to its full limits in each direction" (the tap test). So
  the block is anchored by its last line (city, state, ZIP: what the sorters read) at 3.02 in,
  just over 1/8 in above the window's bottom edge, and grows upward: a four-line address
  starts near 2.38 in and can ride up about 0.2 in before the name nears the top edge. (A block
  starting at 2.0-2.125 in, as often suggested, is within 1/8 in of that edge at rest.) Text
  starts 1 in from the left, 1/8 in inside the window, and is at most 3.35 in wide, so it is
  still inside with the sheet pushed a full inch sideways.
- A4, DIN 5008 form B: address field 45 mm from the top and 20 mm from the left edge, 85 x 45
  mm; its first 17.7 mm (the "Zusatz- und Vermerkzone") hold the return address, written upward
  from the line at 62.7 mm, and the recipient is written downward from that line in the
  27.3 mm "Anschriftzone"; text starts 25 mm from the left edge. Fold marks at 105 and 210 mm
  and the punch mark at 148.5 mm go in the left margin, where the standard puts them.
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

from core.pdf import render_pdf
from core.stored_files import document_url
from mailings.letters.content import bare_address

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
# Lengths are relative to the top-left corner of the first page's content box (the page
# margin is added back in the comments, which give the position on the sheet).
PAPER = {
    "letter": {
        "size": "letter", "margin": "0.6in 1in 0.5in 1in",
        "head_height": "2.75in",  # the greeting starts 3.35 in down, above the first fold
        "address": "bottom: 0.33in", "address_width": "3.35in",  # last line ends 3.02 in down
        "return_line": "", "marks": (),
        "slip_height": "2.05in",  # its cut line 8.45 in down, below the second fold (7 1/3 in)
    },
    "a4": {
        "size": "A4", "margin": "15mm 20mm 13mm 25mm",
        "head_height": "83.4mm",  # the greeting starts at 98.4 mm
        "address": "top: 48mm", "address_width": "75mm",  # from 63 mm (zone: 62.7), 25 mm left
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
) -> str:
    """One HTML document holding every letter, each starting on a new sheet."""
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
            "layout": PAPER.get(paper, PAPER["letter"]),
            "duplex_safe": duplex_safe,
        },
    )


def letters_pdf(
    letters: Sequence[PrintedLetter],
    *,
    organisation: Any,
    paper: str = "letter",
    duplex_safe: bool = False,
    time_limit: float = 120,
) -> bytes:
    html = letters_html(letters, organisation=organisation, paper=paper, duplex_safe=duplex_safe)
    return render_pdf(html, time_limit=time_limit)


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
