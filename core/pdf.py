"""PDF rendering: the only module that imports WeasyPrint.

Documents are rendered from HTML the project's templates produced, but letters contain text
staff typed, so the fetcher WeasyPrint uses for images and stylesheets may read only the
product's own static and uploaded files (and data: URIs): never file:// paths, /dev/*, other
hosts or cloud metadata addresses. Rendering has a time limit.
"""

import logging
import mimetypes
import os
import signal
import threading
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)
# Relative URLs in documents resolve against this made-up origin, so '/static/logo.png'
# becomes a URL the fetcher maps to a file it is allowed to read.
INTERNAL_BASE = "https://pdf.invalid/"
BASE_CSS = "body { font-family: 'DejaVu Serif', serif; }"


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
        for prefix, roots in self._roots():
            if path.startswith(prefix):
                relative = path[len(prefix) :]
                for root in roots:
                    found = _inside(root, relative)
                    if found is not None:
                        return found
        raise RefusedResource(f"refused {url!r}: not a static or uploaded file")

    @staticmethod
    def _roots() -> list[tuple[str, list[Path]]]:
        static = "/" + settings.STATIC_URL.strip("/") + "/"
        media = "/" + settings.MEDIA_URL.strip("/") + "/"
        return [(static, [Path(p) for p in _static_roots()]), (media, [Path(settings.MEDIA_ROOT)])]


def _static_roots() -> list[str]:
    roots = [str(settings.STATIC_ROOT)] if settings.STATIC_ROOT else []
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
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
    document = HTML(string=html, base_url=INTERNAL_BASE, url_fetcher=SafeURLFetcher())
    sheets = [CSS(string=BASE_CSS)] + [CSS(string=sheet) for sheet in stylesheets or []]
    return _with_time_limit(lambda: document.write_pdf(stylesheets=sheets), time_limit)


def _with_time_limit(work: Any, seconds: float) -> bytes:
    # SIGALRM interrupts layout (pure Python) cleanly, but only in the main thread (commands,
    # gunicorn sync workers). Elsewhere the render runs in a helper thread we stop waiting for:
    # the caller gets its error on time; the abandoned render finishes in the background.
    if threading.current_thread() is threading.main_thread():

        def on_alarm(signum: int, frame: Any) -> None:
            raise PdfRenderTimeout(f"PDF rendering took longer than {seconds} s")

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return work()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["pdf"] = work()
        except Exception as exc:  # noqa: BLE001 - handed to the caller below
            result["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise PdfRenderTimeout(f"PDF rendering took longer than {seconds} s")
    if "error" in result:
        raise result["error"]
    return result["pdf"]
