"""Reading an uploaded import file safely: a size cap, the text encoding of a CSV found rather
than assumed, and an XLSX's real size checked in its zip directory before openpyxl opens it.
Each refusal is an ImportFileError whose message says in plain words what to do.

Used by crm.importing.jobs for supporter and gift imports alike.
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any

import charset_normalizer
import openpyxl
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from import_export.formats.base_formats import CSV

MB = 1024 * 1024
# An XLSX is zipped XML: real sheets expand about 5 to 15 times. Reading more than this many
# times the upload cap would hold the worker's memory hostage to one file.
XLSX_EXPANSION_LIMIT = 5
# Any single part packed tighter than this is repetition, not a sheet (a 'zip bomb').
XLSX_RATIO_LIMIT = 100
XLSX_MAX_PARTS = 2000
# Columns read from a sheet: each row is padded to the header's width, so a header cell far
# to the right (column XFD) would make every row 16,384 cells long.
MAX_COLUMNS = 300
# The encodings spreadsheets save CSV in, here: Excel's 'CSV UTF-8' and 'Unicode Text',
# Windows Excel's 'CSV' (Windows-1252), Latin-1, and Mac Excel's 'CSV' (Mac Roman). Letting
# the detector pick among all code pages turns 'Núñez' into 'Núńez' (Central European).
CSV_ENCODINGS = [
    "utf_8",
    "utf_16",
    "utf_16_le",
    "utf_16_be",
    "utf_32",
    "cp1252",
    "latin_1",
    "mac_roman",
]
BOMS = [  # longest first: UTF-32's little-endian mark starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
FORMATS = ("csv", "xlsx")


class ImportFileError(Exception):
    """A file that cannot be imported; the message is for staff."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class CheckedFile:
    content: bytes  # what is stored for the import: a CSV as UTF-8, an XLSX as uploaded
    data_size: int  # bytes of data to read: the CSV's text, or the XLSX's unpacked XML


def max_file_bytes() -> int:
    return settings.IMPORT_MAX_FILE_MB * MB


def check_upload(upload: UploadedFile, file_format: str) -> CheckedFile:
    """Refuse what cannot be imported safely, before anything is stored or parsed."""
    if file_format not in FORMATS:
        raise ImportFileError("Choose CSV or XLSX as the file's format.")
    if upload.size > max_file_bytes():
        raise ImportFileError(
            f"This file is {_mb(upload.size)}; an import takes files of up to "
            f"{settings.IMPORT_MAX_FILE_MB} MB. Split it into smaller files and import "
            "them one after another. Nothing was imported."
        )
    content = b"".join(upload.chunks())
    if not content.strip():
        raise ImportFileError("This file is empty. Nothing was imported.")
    if file_format == "csv":
        text = decode_csv(content)
        check_csv_quotes(text)
        content = text.encode("utf-8")
        return CheckedFile(content=content, data_size=len(content))
    return CheckedFile(content=content, data_size=check_xlsx(content))


def decode_csv(content: bytes) -> str:
    """The file's text, in whichever encoding the spreadsheet saved it."""
    for bom, encoding in BOMS:
        if content.startswith(bom):
            try:
                return content.decode(encoding)
            except UnicodeDecodeError:
                break  # a mark that lies: let the detector look at the bytes
    try:
        text = content.decode("utf-8")
        # UTF-16 without its mark is valid UTF-8 with a NUL after every letter.
        if "\x00" not in text:
            return text
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(content, cp_isolation=CSV_ENCODINGS).best()
    if best is not None:
        try:
            text = str(best)
        except (UnicodeDecodeError, LookupError):
            text = ""
        if text and "\x00" not in text:
            return text
    raise ImportFileError(
        "This file's text could not be read: it is not a CSV saved as UTF-8, UTF-16, "
        "Windows (Western) or Mac text. If it is an Excel workbook, choose XLSX as the "
        "format; otherwise open it in your spreadsheet, save it as 'CSV UTF-8' and upload "
        "it again. Nothing was imported."
    )


def check_csv_quotes(text: str) -> None:
    """Refuse a CSV whose quotes do not pair up. A lenient reader takes everything after a
    stray quote as one cell, lines and commas included: a few rows become one name, imported."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for _row in reader:
            pass
    except csv.Error:
        raise ImportFileError(
            f'By line {reader.line_num} of this file, a quotation mark (") has not been closed '
            "where its cell ends, so the lines after it cannot be told apart. Open the file in "
            "your spreadsheet and save it again as CSV, or put the quotes right. Nothing was "
            "imported."
        ) from None


def check_xlsx(content: bytes) -> int:
    """The XML bytes the workbook unpacks to, from its zip directory, without unpacking it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise ImportFileError(
            "This file is not an Excel workbook (.xlsx). If it is a CSV file, choose CSV as "
            "the format; if it is an older .xls or another kind of file, save it from your "
            "spreadsheet as .xlsx or CSV and upload it again. Nothing was imported."
        ) from None
    with archive:
        parts = archive.infolist()
        if "xl/workbook.xml" not in archive.namelist():
            raise ImportFileError(
                "This file is a zip archive but not an Excel workbook (.xlsx). Save it from "
                "your spreadsheet as .xlsx or CSV and upload it again. Nothing was imported."
            )
    unpacked = sum(part.file_size for part in parts)
    limit = XLSX_EXPANSION_LIMIT * max_file_bytes()
    packed_tight = any(
        part.file_size > MB and part.file_size > XLSX_RATIO_LIMIT * max(part.compress_size, 1)
        for part in parts
    )
    if unpacked > limit or packed_tight or len(parts) > XLSX_MAX_PARTS:
        raise ImportFileError(
            f"This workbook unpacks to {_mb(unpacked)} when opened, more than an import "
            f"reads ({_mb(limit)}), or holds one enormous cell. Remove unused sheets and "
            "columns, or save the sheet as CSV, and upload it again. Nothing was imported."
        )
    return sum(
        part.file_size
        for part in parts
        if part.filename.startswith("xl/worksheets/") or part.filename == "xl/sharedStrings.xml"
    )


def read_rows(file: IO[bytes], file_format: str) -> tuple[list[object], Sequence[Sequence]]:
    """Headers and rows of a checked file (see check_upload); rows keep their place in the
    sheet, blank ones included, so row numbers in messages match the spreadsheet's."""
    try:
        if file_format == "csv":
            # Through django-import-export's CSV reader (tablib), as before jobs existed.
            dataset = CSV(encoding="utf-8").create_dataset(file.read())
            headers, rows = list(dataset.headers or []), dataset
        else:
            headers, rows = _xlsx_rows(file)
    except ImportFileError:
        raise
    except Exception:  # noqa: BLE001 - any parser's complaint means the same to staff
        name = "CSV" if file_format == "csv" else "Excel workbook (.xlsx)"
        raise ImportFileError(
            f"This file could not be read as a {name}. Check that the format chosen matches "
            "the file, or save it again from your spreadsheet. Nothing was imported."
        ) from None
    if len(headers) > MAX_COLUMNS:
        raise ImportFileError(
            f"This sheet has {len(headers)} columns; an import reads at most {MAX_COLUMNS}. "
            "Delete the columns you do not need and upload it again. Nothing was imported."
        )
    return headers, rows


def read_head(
    file: IO[bytes], file_format: str, rows: int
) -> tuple[list[object], Sequence[Sequence]]:
    """Headers and the first `rows` rows of a checked file, for the mapping step's samples:
    a page of a large file, not the whole of it."""
    if file_format != "csv":
        return _read_or_refuse(lambda: _xlsx_rows(file, limit=rows), file_format)
    # A checked CSV is stored as UTF-8; its lines are decoded as they are read.
    lines = codecs.iterdecode(file, "utf-8")
    found = _read_or_refuse(lambda: list(islice(csv.reader(lines), rows + 1)), file_format)
    return (list(found[0]) if found else []), found[1:]


def _read_or_refuse(read: Callable[[], Any], file_format: str) -> Any:
    try:
        return read()
    except Exception:  # noqa: BLE001 - as read_rows: any parser's complaint means the same
        name = "CSV" if file_format == "csv" else "Excel workbook (.xlsx)"
        raise ImportFileError(
            f"This file could not be read as a {name}. Check that the format chosen matches "
            "the file, or save it again from your spreadsheet. Nothing was imported."
        ) from None


def _xlsx_rows(file: IO[bytes], limit: int | None = None) -> tuple[list[object], list[tuple]]:
    """The first sheet in read-only mode (rows streamed, not the whole sheet in memory), each
    row cut to the header's width; blank rows kept as one shared empty tuple. `limit`: read
    only that many rows under the headers."""
    book = openpyxl.load_workbook(file, read_only=True, data_only=True)
    try:
        sheet = book.active
        # The stored dimensions may claim a million rows; read the rows that are there.
        sheet.reset_dimensions()
        header_row = next(sheet.iter_rows(max_row=1, values_only=True), ())
        headers = list(header_row)
        while headers and headers[-1] in (None, ""):
            headers.pop()
        if len(headers) > MAX_COLUMNS:
            return headers, []
        rows: list[tuple] = []
        blank: tuple = ()
        width = len(headers) or 1
        last = limit + 1 if limit is not None else None
        for row in sheet.iter_rows(min_row=2, max_row=last, max_col=width, values_only=True):
            # any(row) first: a C-speed answer for the common case and for padding rows.
            filled = any(row) or any(v is not None and v != "" for v in row)
            rows.append(row if filled else blank)
        return headers, rows
    finally:
        book.close()


def _mb(size: int) -> str:
    return f"{size / MB:.1f} MB"
