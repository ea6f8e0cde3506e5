"""A report table as CSV or XLSX: the table the page shows, nothing more (no contact details),
every text cell through core.spreadsheets.neutralise_formula so a name like '=HYPERLINK(...)'
opens as text."""

import csv
import io
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from core.spreadsheets import neutralise_formula
from reports.tables import Pct, Table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, Decimal):  # money and Pct: plain numbers a spreadsheet adds up
        return float(value) if isinstance(value, Pct) else value
    return neutralise_formula(value) if isinstance(value, str) else value


def table_rows(table: Table) -> list[list]:
    """The header and the rows as written to the file."""
    return [[_cell(h) for h in table.headers]] + [[_cell(v) for v in row] for row in table.rows]


def csv_response(table: Table, filename: str) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows(table_rows(table))
    # A byte order mark, so Excel opens the UTF-8 file with accents intact.
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(table: Table, filename: str) -> HttpResponse:
    book = Workbook()
    sheet = book.active
    sheet.title = table.key[:31]
    for row in table_rows(table):
        sheet.append(row)
    for row, values in zip(sheet.iter_rows(min_row=2), table.rows, strict=True):
        for cell, value in zip(row, values, strict=True):
            if isinstance(value, Decimal) and not isinstance(value, Pct):
                cell.number_format = "#,##0.00"  # money, shown with cents
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
