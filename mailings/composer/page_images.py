"""A rendered PDF as one PNG per page, for the composer's printed-page preview: browsers differ
in whether (and how) they show a PDF in a frame, and an image shows exactly what WeasyPrint laid
out. Poppler's pdftoppm (installed with the other system packages) does the rasterising."""

import base64
import shutil
import subprocess
import tempfile
from pathlib import Path

# 72 dpi: a US Letter page is 612 px wide, sharp enough to read beside the text being written.
PREVIEW_DPI = 72
PDFTOPPM = shutil.which("pdftoppm") or "/usr/bin/pdftoppm"


def page_images(pdf: bytes, *, dpi: int = PREVIEW_DPI, time_limit: float = 30) -> list[str]:
    """Each page as a data: URL, in order."""
    with tempfile.TemporaryDirectory(prefix="composer-") as folder:
        source = Path(folder) / "letter.pdf"
        source.write_bytes(pdf)
        subprocess.run(  # noqa: S603 - a fixed program on our own file
            [PDFTOPPM, "-r", str(dpi), "-png", str(source), str(Path(folder) / "page")],
            check=True,
            capture_output=True,
            timeout=time_limit,
        )
        pages = sorted(Path(folder).glob("page-*.png"), key=lambda p: int(p.stem.split("-")[-1]))
        return [
            "data:image/png;base64," + base64.b64encode(page.read_bytes()).decode("ascii")
            for page in pages
        ]
