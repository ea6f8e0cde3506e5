"""Printed letters: a rendered letter's parts turned into what the PDF layout
(mailings.printing.letter_pdf) sets on paper, for one supporter, sample values, or a whole
mailing."""

import io
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.utils import formats, translation
from django.utils.safestring import mark_safe
from pypdf import PdfReader

from core.models import Organisation
from core.stored_files import document_url
from crm.models import Supporter
from mailings.letters.merge_fields import CHANNEL_PRINT
from mailings.letters.rendering import CompiledVersion
from mailings.models import Letter
from mailings.printing.letter_pdf import PrintedLetter, ReplySlip, Signatory, letters_pdf


def printed_letter(
    compiled: CompiledVersion, values: dict[str, Any], supporter: Supporter | None
) -> PrintedLetter:
    # On paper a donate link must be short enough to type: the appeal's page, which still
    # credits the gift to the appeal (the signed personal link is for email).
    short = f"{settings.SITE_URL}/donate/"
    if compiled.appeal_code:
        short += f"?appeal={compiled.appeal_code}"
    values = {**values, "donate_url": short, "channel": CHANNEL_PRINT}
    parts = compiled.fields(values)
    address = (
        tuple(supporter.address_lines)
        if supporter is not None
        else tuple(str(values.get("address_block", "")).splitlines()[1:])
    )
    addressee = str(values.get("addressee", ""))
    asks = [str(values[name]) for name in ("ask_1", "ask_2", "ask_3") if values.get(name)]
    slip = None
    if compiled.letter.reply_slip:
        slip = ReplySlip(
            name=addressee,
            address_lines=address,
            asks=tuple(asks),
            appeal_code=compiled.appeal_code,
        )
    with translation.override(compiled.language):
        date_text = formats.date_format(values["today"], "DATE_FORMAT")
    return PrintedLetter(
        language=compiled.language,
        date_text=date_text,
        addressee=addressee,
        address_lines=address,
        banner=parts["banner"],
        headline=parts["headline"],
        salutation_line=parts["salutation_line"],
        body_html=mark_safe(parts["body_html"]),  # noqa: S308 - sanitised, values escaped
        closing=parts["closing"],
        signatories=tuple(
            Signatory(s.name, s.title, document_url(s.signature)) for s in compiled.signatories
        ),
        on_behalf_of=parts["on_behalf_of"],
        ps=mark_safe(parts["ps_html"]),  # noqa: S308 - sanitised, values escaped
        reply_slip=slip,
        supporter_id=supporter.pk if supporter is not None else None,
    )


def printed_letters_pdf(
    items: Sequence[tuple[CompiledVersion, dict[str, Any], Supporter | None]],
    *,
    letter: Letter,
    duplex_safe: bool = False,
    organisation: Organisation | None = None,
) -> bytes:
    """One PDF of these letters. A print run passes the organisation it read once for the run;
    otherwise it is read here."""
    organisation = organisation or Organisation.current()
    return letters_pdf(
        [printed_letter(compiled, values, supporter) for compiled, values, supporter in items],
        organisation=organisation,
        paper=organisation.paper_size,
        duplex_safe=duplex_safe,
    )


def pdf_page_count(pdf: bytes) -> int:
    """Pages in a rendered PDF (the preview says how many sheets one letter takes)."""
    return len(PdfReader(io.BytesIO(pdf)).pages)
