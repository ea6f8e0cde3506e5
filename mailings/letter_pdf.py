"""The printed appeal letter: letterhead, date, the address placed for a #10 window envelope
(US Letter) or the DIN 5008 address field (A4), greeting, body, signatures side by side, 'on
behalf of', P.S., page numbers from page 2 (restarting for each letter), and a reply slip.

Many letters go into one HTML document (one WeasyPrint layout per print-shop chunk), each
starting on a new sheet; with duplex_safe each starts on a front side.

Address positions:
- #10 window envelope (4 1/8 x 9 1/2 in; window 4 1/2 x 1 1/8 in, 7/8 in from the left and
  1/2 in from the bottom, the common US standard). A tri-folded Letter sheet's top panel is
  3 2/3 in tall and can sit anywhere in the 4 1/8 in envelope, so the window shows the panel
  between 2.5 in and 3.17 in from its top whichever way it slides: the block starts at 2.45 in
  and 1 in from the left, and holds five lines of 10 pt.
- DIN 5008 form B (A4): address field 45 mm from the top and 20 mm from the left, 85 x 45 mm;
  its first 17.7 mm hold the return address line, the recipient starts at 62.7 mm, and text
  sits 5 mm inside the field (25 mm from the left edge).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from core.pdf import render_pdf

LABELS = {
    "en": {
        "on_behalf_of": "On behalf of:", "ps": "P.S.",
        "return": "Please return this slip with your gift",
        "yes": "Yes, I will help with a gift of:", "other": "Other $",
        "monthly": "Make it a monthly gift", "payable": "Make checks payable to",
        "code": "Code", "online": "Or give online",
    },
    "es": {
        "on_behalf_of": "En nombre de:", "ps": "P.D.",
        "return": "Devuelva este cupón con su donación", "yes": "Sí, ayudaré con una donación de:",
        "other": "Otra cantidad $", "monthly": "Que sea una donación mensual",
        "payable": "Cheques a nombre de", "code": "Código", "online": "O done en línea",
    },
}  # fmt: skip
PAPER = {
    # page margins, and the address block's offsets from the top-left of the page's content box
    "letter": {"size": "letter", "margin": "0.6in 0.9in 0.8in 1in", "top": "1.85in",
               "left": "0", "return_top": None, "head_height": "2.8in"},
    "a4": {"size": "A4", "margin": "15mm 20mm 20mm 25mm", "top": "47.7mm", "left": "0",
           "return_top": "32mm", "head_height": "76mm"},
}  # fmt: skip


@dataclass(frozen=True)
class Signatory:
    name: str
    title: str
    signature_url: str = ""


@dataclass(frozen=True)
class ReplySlip:
    name: str
    address_lines: tuple[str, ...]
    asks: tuple[str, ...]  # already formatted: "$50"
    appeal_code: str
    monthly_option: bool = True
    donate_url: str = ""


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
    supporter_id: int | None = None


def letters_html(
    letters: Sequence[PrintedLetter],
    *,
    organisation: Any,
    paper: str = "letter",
    duplex_safe: bool = False,
) -> str:
    layout = PAPER.get(paper, PAPER["letter"])
    items = [{"letter": letter, "labels": LABELS.get(letter.language, LABELS["en"])}
             for letter in letters]  # fmt: skip
    return render_to_string(
        "mailings/letter_pdf.html",
        {
            "items": items,
            "organisation": organisation,
            "organisation_lines": [
                line.strip() for line in (organisation.address or "").splitlines() if line.strip()
            ],
            "layout": layout,
            "paper": paper,
            "duplex_safe": duplex_safe,
        },
    )


def letters_pdf(
    letters: Sequence[PrintedLetter],
    *,
    organisation: Any,
    paper: str = "letter",
    duplex_safe: bool = False,
    time_limit: float = 600,
) -> bytes:
    html = letters_html(letters, organisation=organisation, paper=paper, duplex_safe=duplex_safe)
    return render_pdf(html, time_limit=time_limit)
