"""Bringing in a letter staff already have: a Word file (.docx, through mammoth), text pasted
from Word or Google Docs, Markdown or plain text. Every way in ends as plain text with blank
lines between paragraphs and Markdown for what the Word file marked (bold, italic, bulleted and
numbered lists, headings), read by mailings.letters.from_text like any pasted letter.

Nothing is added and no line is dropped: a soft line break stays a line, a tab between two
signers' names stays a column.
"""

import io
import re
import zipfile
from html.parser import HTMLParser

import mammoth
from charset_normalizer import from_bytes

from mailings.letters.from_text import PlainLetter
from mailings.letters.services import letter_create_from_text
from mailings.models import Letter

DEFAULT_GREETING = PlainLetter().salutation_line
MAX_BYTES = 5 * 1024 * 1024
TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
SUFFIXES = (".docx", *TEXT_SUFFIXES)
# Pasted text: no-break and odd spaces become spaces, soft breaks (Word's Shift+Enter, Google
# Docs' vertical tab, the Unicode line separator) new lines, invisible marks nothing.
SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")


BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6")


class BringInError(ValueError):
    """A file that cannot be brought in, said so that staff know what to do."""


def text_from_paste(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2029", "\n\n").replace("\u2028", "\n").replace("\v", "\n")
    text = SPACES.sub(" ", INVISIBLE.sub("", text))
    # A tab between two names (signers side by side) is a column: at least three spaces.
    text = re.sub(r"[ ]*\t+[ ]*", "    ", text)
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) >= 4 and not re.search(r"\n[ ]*\n", text.strip()):
        # Copied from Word or Google Docs, paragraphs come one a line with no blank line
        # between them (the space between was paragraph spacing): each line a paragraph.
        return "\n\n".join(lines) + "\n"
    return text


def text_from_file(filename: str, data: bytes) -> str:
    """The letter's text from an uploaded or given file, or BringInError."""
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in SUFFIXES:
        raise BringInError(
            f"{filename}: bring in a Word file (.docx), or text or Markdown (.txt, .md)."
        )
    if not data.strip():
        raise BringInError(f"{filename} is empty.")
    if len(data) > MAX_BYTES:
        raise BringInError(f"{filename} is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    text = _docx_text(filename, data) if suffix == ".docx" else _decoded(filename, data)
    text = text_from_paste(text)
    if not text.strip():
        raise BringInError(f"{filename} has no text in it.")
    return text


def name_problem(name: str) -> str:
    """Why a new letter cannot have this staff-only name ('' when it can)."""
    if not name.strip():
        return "Give the letter a name."
    if len(name) > 200:
        return "A letter's name is at most 200 characters."
    if Letter.objects.filter(name=name.strip()).exists():
        return f"There is already a letter named “{name.strip()}”: choose another name."
    return ""


def letter_bring_in(*, name: str, filename: str, data: bytes, language: str = "en"):
    """A new letter (and its version) from a file, the same way as from pasted text."""
    if problem := name_problem(name):
        raise BringInError(problem)
    return letter_create_from_text(
        name=name, text=text_from_file(filename, data), language=language
    )


def recognized(plain: PlainLetter) -> list[tuple[str, str]]:
    """What was recognized, for staff to check: label and value."""
    body = [p for p in plain.body.split("\n\n") if p.strip()]
    signers = "; ".join(", ".join(filter(None, s)) for s in plain.signatories)
    return [
        ("Subject", plain.subject or plain.headline or "(none: add one before sending)"),
        ("Banner", plain.banner),
        ("Headline", plain.headline),
        (
            "Greeting",
            plain.salutation_line
            if plain.salutation_line != DEFAULT_GREETING
            else f"(none in the text: “{DEFAULT_GREETING}” used)",
        ),  # fmt: skip
        ("Body", f"{len(body)} paragraphs"),
        ("Closing", plain.closing or "(none)"),
        ("Signers", signers or "(none)"),
        ("On behalf of", plain.on_behalf_of),
        ("P.S.", plain.ps),
    ]


def _decoded(filename: str, data: bytes) -> str:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BringInError(f"{filename} is not a text file.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is None:
            raise BringInError(f"{filename}: its text could not be read.") from None
        return str(best)


def _docx_text(filename: str, data: bytes) -> str:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise BringInError(f"{filename} is not a Word file (.docx).")
    try:
        html = mammoth.convert_to_html(io.BytesIO(data)).value
    except Exception as error:  # a zip that is not a Word document, or a damaged one
        raise BringInError(f"{filename} could not be read as a Word file: {error}") from None
    converter = _HtmlToLetterText()
    converter.feed(html)
    converter.close()
    return converter.text()


class _HtmlToLetterText(HTMLParser):
    """mammoth's HTML to paragraphs of Markdown: <p> and headings are paragraphs, the items
    of a bulleted list one paragraph of '- ' lines, numbered items '1. ' paragraphs (an
    item's soft line breaks kept as its explanation lines). A table (signers side by side in
    Word) is one paragraph, its cells as columns: line by line, at least three spaces apart."""

    INLINE = {"strong": "**", "b": "**", "em": "*", "i": "*"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []  # (kind, text)
        self.lists: list[list] = []  # [tag, counter]
        self.current: list[str] = []
        self.kind = ""
        self.href = ""
        self.marks: list[int] = []  # where each open bold or italic starts in current
        self.rows: list[list[list[str]]] | None = None  # a table's rows of cells of lines

    def _wrap(self, start: int, mark: str):
        """Marks around the words only: Word's runs rarely end where words do, and Markdown
        reads '** bold**' as text. Line by line, a soft break inside stays a break."""
        inner = "".join(self.current[start:])
        wrapped = []
        for line in inner.split("\n"):
            words = line.strip()
            if not words or words.strip("*") == "":
                wrapped.append(line)
                continue
            lead, trail = line[: len(line) - len(line.lstrip())], line[len(line.rstrip()) :]
            wrapped.append(f"{lead}{mark}{words}{mark}{trail}")
        self.current[start:] = ["\n".join(wrapped)]

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._flush()
            self.rows = []
        elif tag == "tr" and self.rows is not None:
            self.rows.append([])
        elif tag in ("td", "th") and self.rows:
            self._flush()
            self.rows[-1].append([])
        elif tag in ("ul", "ol"):
            self._flush()
            self.lists.append([tag, 0])
        elif tag == "li":
            self._flush()
            self.kind = "li"
        elif tag in BLOCKS:
            if self.kind != "li":
                self._flush()
                self.kind = tag
        elif tag == "br":
            self.current.append("\n")
        elif tag in self.INLINE:
            self.marks.append(len(self.current))
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.href = href if href.startswith(("http://", "https://", "mailto:")) else ""
            if self.href:
                self.current.append("[")

    def handle_endtag(self, tag):
        if tag == "table" and self.rows is not None:
            self._flush()
            rows, self.rows = self.rows, None
            for row in rows:
                height = max((len(cell) for cell in row), default=0)
                lines = ["    ".join(c[i] if i < len(c) else "" for c in row)
                         for i in range(height)]  # fmt: skip
                if lines:
                    self.blocks.append(("p", "\n".join(line.strip() for line in lines)))
        elif tag in ("td", "th"):
            self._flush()
        elif tag in self.INLINE and self.marks:
            self._wrap(self.marks.pop(), self.INLINE[tag])
        elif tag == "a" and self.href:
            self.current.append(f"]({self.href})")
            self.href = ""
        elif tag == "li" or (tag in BLOCKS and self.kind != "li"):
            self._flush()
        elif tag in ("ul", "ol"):
            self._flush()
            if self.lists:
                self.lists.pop()

    def handle_data(self, data):
        self.current.append(data)

    def _flush(self):
        text = "".join(self.current).replace("****", "")
        kind, self.current, self.kind, self.marks = self.kind, [], "", []
        if not text.strip():
            return
        if self.rows and self.rows[-1] and self.rows[-1][-1] is not None:  # in a table's cell
            cell = self.rows[-1][-1]
            cell.extend(line.strip() for line in text.split("\n") if line.strip())
        elif kind == "li" and self.lists:
            tag = self.lists[-1][0]
            self.lists[-1][1] += 1
            indent = "  " * (len(self.lists) - 1)
            if tag == "ol":
                lines = text.strip().split("\n")
                rest = "".join(f"\n   {line.strip()}" for line in lines[1:])
                self.blocks.append(("ol", f"{indent}{self.lists[-1][1]}. {lines[0].strip()}{rest}"))
            else:  # a bullet's soft line breaks: one item still
                self.blocks.append(("ul", f"{indent}- {' '.join(text.split())}"))
        elif kind in ("h1", "h2"):
            self.blocks.append(("h", "## " + " ".join(text.split())))
        elif kind.startswith("h") and kind != "":
            self.blocks.append(("h", "### " + " ".join(text.split())))
        else:
            self.blocks.append(("p", "\n".join(line.rstrip() for line in text.split("\n"))))

    def text(self) -> str:
        self._flush()
        out: list[str] = []
        for i, (kind, text) in enumerate(self.blocks):
            joined = kind == "ul" and i and self.blocks[i - 1][0] == "ul"
            out.append(("\n" if joined else "\n\n") + text if out else text)
        return "".join(out).strip() + "\n"
