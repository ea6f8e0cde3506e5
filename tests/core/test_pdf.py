import io
import threading
import time

import pytest
from pypdf import PdfReader

from core.pdf import PdfRenderTimeout, RefusedResource, SafeURLFetcher, render_pdf

# A 1x1 red PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d7"
    "63f8cfc000000301010018dd8db00000000049454e44ae426082"
)


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def image_count(pdf: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def roots(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STATIC_ROOT.mkdir()
    settings.MEDIA_ROOT.mkdir()
    (settings.STATIC_ROOT / "logo.png").write_bytes(PNG)
    (settings.MEDIA_ROOT / "signature.png").write_bytes(PNG)
    (tmp_path / "secret.txt").write_text("root:x:0:0")
    (settings.MEDIA_ROOT / "escape.png").symlink_to(tmp_path / "secret.txt")
    return tmp_path


def test_it_renders_html_to_a_pdf_with_the_words():
    pdf = render_pdf("<h1>Dear Maria,</h1><p>Thank you for your gift of $50.</p>")
    assert pdf.startswith(b"%PDF")
    assert "Dear Maria," in text_of(pdf) and "$50" in text_of(pdf)


def test_it_embeds_the_products_own_static_and_uploaded_images(roots):
    pdf = render_pdf('<img src="/static/logo.png"><img src="/media/signature.png">')
    assert image_count(pdf) == 2


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/tracker.png",
        "https://pdf.invalid/static/../../../../etc/passwd",
        "https://pdf.invalid/media/%2e%2e/%2e%2e/etc/hostname",
        "https://pdf.invalid/dev/zero",
        "https://pdf.invalid/media/escape.png",
        "https://pdf.invalid/static/missing.png",
    ],
)
def test_the_fetcher_refuses_anything_but_own_files(roots, url):
    with pytest.raises(RefusedResource):
        SafeURLFetcher().fetch(url)


def test_a_hostile_document_still_renders_without_what_it_asked_for(roots):
    hostile = """
      <link rel="stylesheet" href="http://169.254.169.254/x.css">
      <style>body { background: url(/dev/zero); }</style>
      <img src="file:///etc/passwd"><img src="/static/../../../../etc/passwd">
      <img src="/media/%2e%2e/%2e%2e/etc/hostname"><img src="/media/escape.png">
      <p>Still here</p>"""
    started = time.monotonic()
    pdf = render_pdf(hostile)
    assert time.monotonic() - started < 10, "no network was attempted"
    text = text_of(pdf)
    assert "Still here" in text and "root:" not in text
    assert image_count(pdf) == 0


def heavy_document() -> str:
    rows = "".join(f"<tr><td>{n}</td><td>row {n}</td></tr>" for n in range(20000))
    return f"<table>{rows}</table>"


def test_a_render_over_the_limit_is_stopped_in_the_main_thread():
    with pytest.raises(PdfRenderTimeout):
        render_pdf(heavy_document(), time_limit=0.2)


def test_a_render_over_the_limit_is_stopped_in_another_thread():
    outcome: list[BaseException] = []

    def render() -> None:
        try:
            render_pdf(heavy_document(), time_limit=0.2)
        except PdfRenderTimeout as exc:
            outcome.append(exc)

    thread = threading.Thread(target=render)
    thread.start()
    thread.join(30)
    assert outcome and isinstance(outcome[0], PdfRenderTimeout)
