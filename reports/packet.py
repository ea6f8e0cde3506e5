"""The board packet: every report page for one fiscal year as one PDF (/reports/board.pdf),
through the one PDF seam (core.pdf). The same page builders as the screens, so the packet and
the pages never disagree; charts are the pages' SVGs, embedded as data: images."""

from django.template.loader import render_to_string

from core.models import Organisation
from core.pdf import render_pdf
from reports import pages

# A packet of five pages with five charts lays out in a few seconds; the limit is generous.
TIME_LIMIT = 60.0


def board_packet_pdf(year: pages.Year, *, hide_names: bool) -> bytes:
    built = {slug: build(year, hide_names=hide_names) for slug, (_l, build) in pages.PAGES.items()}
    html = render_to_string(
        "reports/packet.html",
        {
            "organisation": Organisation.current(),
            "year": year,
            "hide_names": hide_names,
            "overview": built["overview"],
            "over_time": built["over-time"],
            "sources": built["sources"],
            "donors": built["donors"],
            "recurring": built["recurring"],
        },
    )
    return render_pdf(html, time_limit=TIME_LIMIT)
