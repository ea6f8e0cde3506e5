"""PDF rendering: the only module that imports WeasyPrint.

Documents are rendered from HTML the project's templates produced, but letters contain text
staff typed, so the fetcher WeasyPrint uses for images and stylesheets may read only the
product's static files, the uploaded images a document shows (the logo and signature scans)
and data: URIs: never receipts or other uploads, file:// paths, /dev/*, other hosts or cloud
metadata addresses. No document carries embedded files: WeasyPrint would otherwise attach
whatever a `<link rel="attachment">` or `<a rel="attachment">` points at. Rendering has a
time limit.
"""

import ctypes
import gc
import logging
import math
import mimetypes
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.http import HttpResponse
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from core.stored_files import storage_is_local

logger = logging.getLogger(__name__)
# Relative URLs in documents resolve against this made-up origin, so '/static/logo.png'
# becomes a URL the fetcher maps to a file it is allowed to read.
INTERNAL_BASE = "https://pdf.invalid/"
# Passed as a user stylesheet, so a document's own @page and body rules win over these
# defaults. Letter matches Organisation.paper_size's default; receipts and statements set
# the organisation's size in their template's @page.
BASE_CSS = "@page { size: letter; margin: 20mm } body { font-family: 'DejaVu Serif', serif; }"
WORKER_NAME = "pdf-render"
# The only folders under MEDIA_ROOT a document may show: the upload_to of Organisation.logo
# and of mailings' Signatory.signature. Receipts (another donor's name, address and gift) and
# any other upload are never fetched. core imports no app, so the list is kept here and
# tests/core/test_pdf_fetcher_scope.py checks it against the models.
MEDIA_FOLDERS_FOR_DOCUMENTS = ("organisation/", "signatures/")
# How long a timed-out worker thread gets to unwind before it is left behind.
WORKER_GRACE = 2.0


class PdfRenderError(Exception):
    pass


class PdfRenderTimeout(PdfRenderError):
    pass


class RefusedResource(ValueError):
    """A resource the document may not load; WeasyPrint skips it with a warning."""


class SafeURLFetcher(URLFetcher):
    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if not storage_is_local():
            stored = _from_bucket(url)
            if stored is not None:
                name, content = stored
                content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, content, {"Content-Type": content_type})
        path = self._local_path(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    def _local_path(self, url: str) -> Path:
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}/" != INTERNAL_BASE:
            raise RefusedResource(f"refused {url!r}: only the product's own files are loaded")
        path = unquote(parts.path)
        if "\x00" in path or any(segment == ".." for segment in path.split("/")):
            raise RefusedResource(f"refused {url!r}: path traversal")
        media_roots = _usable([str(settings.MEDIA_ROOT or "")])
        for prefix, roots in self._roots(media_roots):
            if path.startswith(prefix):
                relative = path[len(prefix) :]
                for root in roots:
                    found = _inside(root, relative)
                    if found is not None and not _private_upload(found, media_roots):
                        return found
        raise RefusedResource(f"refused {url!r}: not a static file, the logo or a signature")

    @staticmethod
    def _roots(media_roots: list[Path]) -> list[tuple[str, list[Path]]]:
        static = "/" + settings.STATIC_URL.strip("/") + "/"
        media = "/" + settings.MEDIA_URL.strip("/") + "/"
        return [(static, _usable(_static_roots()))] + [
            (media + folder, [root / folder for root in media_roots])
            for folder in MEDIA_FOLDERS_FOR_DOCUMENTS
        ]


def _from_bucket(url: str) -> tuple[str, bytes] | None:
    """The logo or a signature from a bucket (STORAGE_BUCKET): only the same folders as on
    disk, read through the storage by name. None for anything else under another prefix."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if f"{parts.scheme}://{parts.netloc}/" != INTERNAL_BASE or "\x00" in path:
        return None
    if any(segment in ("..", ".") for segment in path.split("/")):
        raise RefusedResource(f"refused {url!r}: path traversal")
    media = "/" + settings.MEDIA_URL.strip("/") + "/"
    if not path.startswith(media):
        return None
    name = path[len(media) :]
    if not name.startswith(MEDIA_FOLDERS_FOR_DOCUMENTS):
        raise RefusedResource(f"refused {url!r}: not the logo or a signature")
    if not default_storage.exists(name):
        raise RefusedResource(f"refused {url!r}: no such file")
    with default_storage.open(name, "rb") as handle:
        return name, handle.read()


def _private_upload(path: Path, media_roots: list[Path]) -> bool:
    """Whether a file found under any root lies in MEDIA_ROOT outside the allowed folders, as
    it would with media kept inside a static directory."""
    for media_root in map(os.path.realpath, media_roots):
        if os.path.commonpath([media_root, path]) == media_root:
            allowed = [os.path.join(media_root, f.strip("/")) for f in MEDIA_FOLDERS_FOR_DOCUMENTS]
            return not any(os.path.commonpath([a, path]) == a for a in allowed)
    return False


def _usable(roots: list[str]) -> list[Path]:
    # Path("") and other relative roots resolve against the working directory, which holds
    # pyproject.toml, db.sqlite3 and .env; "/" would be the whole disk. Serve from neither.
    usable = []
    for root in map(Path, roots):
        if root.is_absolute() and root != Path(root.anchor):
            usable.append(root)
        else:
            logger.warning("PDF fetcher ignores root %r: not an absolute directory", str(root))
    return usable


def _static_roots() -> list[str]:
    roots = [str(settings.STATIC_ROOT)] if settings.STATIC_ROOT else []
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            # base_location is the setting as written; location is already made absolute
            # against the working directory, which would hide a relative STATICFILES_DIRS entry.
            location = getattr(storage, "base_location", None) or getattr(storage, "location", None)
            if location:
                roots.append(location)
    return roots


def _inside(root: Path, relative: str) -> Path | None:
    """The real file under root, or None; symlinks leading out of root do not count."""
    real_root = os.path.realpath(root)
    candidate = os.path.realpath(os.path.join(real_root, relative.lstrip("/")))
    if os.path.commonpath([real_root, candidate]) != real_root or not os.path.isfile(candidate):
        return None
    return Path(candidate)


def render_pdf(
    html: str, *, time_limit: float = 30.0, stylesheets: list[str] | None = None
) -> bytes:
    """Render HTML to PDF bytes, loading only allowed resources, within `time_limit` seconds."""
    if not time_limit > 0:  # also catches NaN
        raise ValueError("time_limit must be positive")

    # Parsing is inside the limit too: a huge document spends seconds there.
    def work() -> bytes:
        return _laid_out(html, stylesheets).write_pdf()

    return _with_time_limit(work, time_limit)


def _laid_out(html: str, stylesheets: list[str] | None) -> Any:
    """The document laid out, fetching only what SafeURLFetcher allows, nothing it embeds."""
    source = HTML(string=html, base_url=INTERNAL_BASE, url_fetcher=SafeURLFetcher())
    sheets = [CSS(string=BASE_CSS)] + [CSS(string=sheet) for sheet in stylesheets or []]
    document = source.render(stylesheets=sheets)
    _without_attachments(document)
    return document


@dataclass(frozen=True)
class MeasuredBox:
    """Where an element marked `data-measure="LABEL"` (or "LABEL;LABEL": counted under each)
    was set on one page: the extent of its text's glyph boxes (each font's ascent to
    descent), in points from the page's top-left corner (infinite when it has no text
    there), and its lines there (a line holding inline blocks counts once)."""

    page: int
    label: str
    left: float
    top: float
    right: float
    bottom: float
    lines: int


@dataclass(frozen=True)
class MeasuredPdf:
    pdf: bytes
    pages: int
    boxes: tuple[MeasuredBox, ...]


def render_pdf_measured(
    html: str, *, time_limit: float = 30.0, stylesheets: list[str] | None = None
) -> MeasuredPdf:
    """render_pdf, also giving where the marked elements landed, read from the layout itself
    (what is printed, not what the stylesheet meant)."""
    if not time_limit > 0:
        raise ValueError("time_limit must be positive")
    measured: dict[str, Any] = {}

    def work() -> bytes:
        document = _laid_out(html, stylesheets)
        measured["pages"] = len(document.pages)
        measured["boxes"] = tuple(
            box
            for number, page in enumerate(document.pages)
            # The page's box tree: WeasyPrint keeps it on the page, unadvertised but stable
            # since v53; tests/mailings/test_envelopes.py checks it against pdftotext.
            for box in _measure_page(number, page._page_box)
        )
        return document.write_pdf()

    pdf = _with_time_limit(work, time_limit)
    return MeasuredPdf(pdf=pdf, pages=measured["pages"], boxes=measured["boxes"])


def _measure_page(number: int, page_box: Any) -> list[MeasuredBox]:
    found: dict[str, list[float]] = {}  # label: [left, top, right, bottom, lines]
    px = 0.75  # CSS px to points

    def visit(box: Any, labels: tuple[str, ...], in_line: bool) -> None:
        element = getattr(box, "element", None)
        marked = element.get("data-measure") if element is not None else None
        # An element may count under several labels: "text 0;body 0".
        for label in marked.split(";") if marked else ():
            if label not in labels:
                labels = (*labels, label)
                found.setdefault(label, [math.inf, math.inf, -math.inf, -math.inf, 0])
        kind = type(box).__name__
        if labels and kind == "TextBox" and box.text.strip():
            left, top = box.content_box_x() * px, box.content_box_y() * px
            right, bottom = left + box.width * px, top + box.height * px
            for name in labels:
                extent = found[name]
                extent[:4] = [min(extent[0], left), min(extent[1], top),
                              max(extent[2], right), max(extent[3], bottom)]  # fmt: skip
        if labels and kind == "LineBox" and not in_line:
            for name in labels:
                found[name][4] += 1
            in_line = True
        for child in getattr(box, "children", ()):
            visit(child, labels, in_line)

    visit(page_box, (), False)
    return [
        MeasuredBox(number, label, *extent[:4], lines=extent[4]) for label, extent in found.items()
    ]


def _without_attachments(document: Any) -> None:
    """Drop the files a document asked to embed, before write_pdf fetches them.

    WeasyPrint has no option to refuse them: `<link rel="attachment">` lands in
    metadata.attachments and `<a rel="attachment">` becomes an 'attachment' link on its
    page. No document of the product embeds files, and a letter's text is typed by staff."""
    dropped = len(document.metadata.attachments)
    document.metadata.attachments = []
    for page in document.pages:
        kept = [link for link in page.links if link[0] != "attachment"]
        dropped += len(page.links) - len(kept)
        page.links = kept
    if dropped:
        logger.warning("PDF render dropped %d attachment(s) the document asked for", dropped)


@contextmanager
def collector_tuned_for_layout() -> Iterator[None]:
    """For a batch of layouts in a process of its own (a print run's worker or command).

    WeasyPrint allocates millions of small objects while it lays out a document, and at
    Python's default threshold (700) the cyclic garbage collector runs thousands of times per
    chunk, each pass also rescanning the long-lived Django objects. Freezing what exists before
    the render and collecting the youngest generation every 10,000 allocations instead made a
    40-letter chunk about 15% faster (23 -> 27 pages/s on one core), for a few MB more memory.
    Process-wide, so not for a request thread of the web server."""
    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(10_000, *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()


def _with_time_limit(work: Callable[[], bytes], seconds: float) -> bytes:
    # SIGALRM interrupts layout (pure Python) cleanly, but only in the main thread (commands,
    # gunicorn sync workers). Elsewhere the render runs in a helper thread that is stopped with
    # an asynchronous exception, so a timed-out render does not keep burning CPU.
    if threading.current_thread() is threading.main_thread():
        finished = False

        def on_alarm(signum: int, frame: Any) -> None:
            if not finished:
                raise PdfRenderTimeout(f"PDF rendering took longer than {seconds} s")

        previous = signal.signal(signal.SIGALRM, on_alarm)
        # The alarm repeats every 0.1 s: a timeout that lands in a finaliser (__del__) or in
        # WeasyPrint's catch-all around fetches is swallowed, and the next one must stop it.
        signal.setitimer(signal.ITIMER_REAL, seconds, 0.1)
        try:
            return work()
        finally:
            finished = True  # first, so a late alarm cannot skip the lines below
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["pdf"] = work()
        except Exception as exc:  # noqa: BLE001 - handed to the caller below
            result["error"] = exc

    worker = threading.Thread(target=run, name=WORKER_NAME, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        _stop(worker, result)
        raise PdfRenderTimeout(f"PDF rendering took longer than {seconds} s")
    if "error" in result:
        raise result["error"]
    return result["pdf"]


def _stop(worker: threading.Thread, result: dict[str, Any]) -> None:
    """Raise PdfRenderTimeout inside `worker` and wait up to WORKER_GRACE s for it to end.

    The exception lands at the worker's next Python bytecode (not inside a long C call), and
    WeasyPrint turns exceptions raised during a fetch or image decode into warnings and carries
    on, so it is raised again until the thread ends or has produced its outcome.
    """
    deadline = time.monotonic() + WORKER_GRACE
    while worker.is_alive() and not result and time.monotonic() < deadline:
        thread_id = ctypes.c_ulong(worker.ident or 0)
        changed = ctypes.pythonapi.PyThreadState_SetAsyncExc(
            thread_id, ctypes.py_object(PdfRenderTimeout)
        )
        if changed > 1:  # CPython's documented recovery: undo, never leave it pending
            ctypes.pythonapi.PyThreadState_SetAsyncExc(thread_id, None)
            break
        worker.join(0.1)
    worker.join(max(0.0, deadline - time.monotonic()))
    if worker.is_alive():
        logger.warning("PDF render thread still running after a timeout; left behind")


def pdf_response(pdf: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    """A PDF for the browser: downloaded, or shown in its viewer (`inline`, for previews)."""
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
