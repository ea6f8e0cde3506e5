import io
import threading
import time

import pytest
from pypdf import PdfReader

from core.pdf import (
    WORKER_NAME,
    PdfRenderTimeout,
    RefusedResource,
    SafeURLFetcher,
    render_pdf,
)

# A 1x1 red PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d7"
    "63f8cfc000000301010018dd8db00000000049454e44ae426082"
)


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def image_count(pdf: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    return [
        (round(float(page.mediabox.width), 1), round(float(page.mediabox.height), 1))
        for page in PdfReader(io.BytesIO(pdf)).pages
    ]


@pytest.fixture
def roots(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STATIC_ROOT.mkdir()
    settings.MEDIA_ROOT.mkdir()
    (settings.STATIC_ROOT / "logo.png").write_bytes(PNG)
    (settings.MEDIA_ROOT / "signatures").mkdir()
    (settings.MEDIA_ROOT / "signatures" / "signature.png").write_bytes(PNG)
    (tmp_path / "secret.txt").write_text("root:x:0:0")
    (settings.MEDIA_ROOT / "signatures" / "escape.png").symlink_to(tmp_path / "secret.txt")
    return tmp_path


def test_it_renders_html_to_a_pdf_with_the_words():
    pdf = render_pdf("<h1>Dear Maria,</h1><p>Thank you for your gift of $50.</p>")
    assert pdf.startswith(b"%PDF")
    assert "Dear Maria," in text_of(pdf) and "$50" in text_of(pdf)


def test_it_embeds_the_products_own_static_and_uploaded_images(roots):
    pdf = render_pdf('<img src="/static/logo.png"><img src="/media/signatures/signature.png">')
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
        "https://pdf.invalid/media/signatures/escape.png",
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
      <img src="/media/%2e%2e/%2e%2e/etc/hostname"><img src="/media/signatures/escape.png">
      <p>Still here</p>"""
    started = time.monotonic()
    pdf = render_pdf(hostile)
    assert time.monotonic() - started < 10, "no network was attempted"
    text = text_of(pdf)
    assert "Still here" in text and "root:" not in text
    assert image_count(pdf) == 0


@pytest.mark.parametrize("root", ["", "media", "."])
def test_a_relative_or_empty_media_root_serves_nothing(settings, tmp_path, monkeypatch, root):
    # The working directory is what Path("") means; give it files a document could ask for.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'donor-crm'\n")
    (tmp_path / "leak.css").write_text('body::after { content: "LEAKED-FROM-CWD" }')
    (tmp_path / "pixel.png").write_bytes(PNG)
    (tmp_path / "media" / "signatures").mkdir(parents=True)
    (tmp_path / "media" / "signatures" / "pixel.png").write_bytes(PNG)
    (tmp_path / "signatures").mkdir()
    (tmp_path / "signatures" / "pixel.png").write_bytes(PNG)
    settings.MEDIA_ROOT = root
    for url in [
        "https://pdf.invalid/media/pyproject.toml",
        "https://pdf.invalid/media/signatures/pixel.png",
    ]:
        with pytest.raises(RefusedResource):
            SafeURLFetcher().fetch(url)
    pdf = render_pdf("""
      <link rel="stylesheet" href="/media/leak.css">
      <img src="/media/pyproject.toml"><img src="/media/signatures/pixel.png">
      <img src="https://pdf.invalid/media/signatures/pixel.png"><p>Still here</p>""")
    text = text_of(pdf)
    assert "Still here" in text
    assert "LEAKED" not in text and "donor-crm" not in text
    assert image_count(pdf) == 0


def test_a_relative_static_root_serves_nothing(settings, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pixel.png").write_bytes(PNG)
    settings.STATIC_ROOT = ""
    settings.STATICFILES_DIRS = ["."]
    with pytest.raises(RefusedResource):
        SafeURLFetcher().fetch("https://pdf.invalid/static/pixel.png")


def test_a_document_without_its_own_page_size_comes_out_on_letter():
    assert page_sizes(render_pdf("<p>Dear Maria,</p>")) == [(612.0, 792.0)]


def test_the_documents_own_page_size_wins_over_the_default():
    pdf = render_pdf("<style>@page { size: A4 }</style><p>Dear Maria,</p>")
    assert page_sizes(pdf) == [(595.3, 841.9)]


@pytest.mark.parametrize("time_limit", [0, -1, float("nan")])
def test_it_rejects_a_time_limit_that_is_not_positive(time_limit):
    with pytest.raises(ValueError, match="time_limit must be positive"):
        render_pdf("<p>Dear Maria,</p>", time_limit=time_limit)


def heavy_document() -> str:
    rows = "".join(f"<tr><td>{n}</td><td>row {n}</td></tr>" for n in range(20000))
    return f"<table>{rows}</table>"


# The timeout often lands while the garbage collector runs a WeasyPrint finaliser, which
# swallows it ("Exception ignored in ... __del__"); render_pdf raises it again, and these
# tests check that the render still stops on time.
swallowed_timeouts = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@swallowed_timeouts
def test_a_render_over_the_limit_is_stopped_in_the_main_thread():
    started = time.monotonic()
    with pytest.raises(PdfRenderTimeout):
        render_pdf(heavy_document(), time_limit=0.2)
    assert time.monotonic() - started < 5


@swallowed_timeouts
def test_a_render_over_the_limit_is_stopped_in_another_thread():
    outcome: list[BaseException] = []

    def render() -> None:
        try:
            render_pdf(heavy_document(), time_limit=0.2)
        except PdfRenderTimeout as exc:
            outcome.append(exc)

    def leftover() -> list[str]:
        # By identity as well as by name, so a worker without the name cannot slip through.
        return [
            t.name
            for t in threading.enumerate()
            if t.name == WORKER_NAME or (t not in before and t is not thread)
        ]

    before = set(threading.enumerate())
    started = time.monotonic()
    thread = threading.Thread(target=render)
    thread.start()
    thread.join(30)
    assert outcome and isinstance(outcome[0], PdfRenderTimeout)
    assert time.monotonic() - started < 5, "the caller got its error promptly"
    # The render itself was stopped, not left running in the background.
    stopped_by = time.monotonic() + 2
    while leftover():
        assert time.monotonic() < stopped_by, f"still running: {leftover()}"
        time.sleep(0.05)
