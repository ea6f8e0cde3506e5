from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.pdf import render_pdf  # noqa: F401 - fail early if WeasyPrint is missing
from donations.statements import annual_statements_send


class Command(BaseCommand):
    help = (
        "Make one giving statement per donor for fiscal year YEAR (the organisation's fiscal "
        "year setting is used): emailed where possible, the rest written as PDFs to print, and "
        "a list of donors who could not be reached and why."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--out", default="var/statements", help="Folder for printed ones.")

    def handle(self, *args: object, year: int, out: str, **options: object) -> None:
        if not 1900 < year < 3000:
            raise CommandError(f"--year must be a year such as 2026, not {year}.")
        run = annual_statements_send(fiscal_year=year)
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        for supporter, pdf in run.to_print:
            (
                folder / f"statement-{year}-{supporter.postal_code or 'nozip'}-{supporter.pk}.pdf"
            ).write_bytes(pdf)
        self.stdout.write(
            f"Fiscal year {year}: {len(run.emailed)} emailed, "
            f"{len(run.to_print)} to print in {folder}/, "
            f"{len(run.unreachable)} could not be reached."
        )
        for supporter, reason in run.unreachable:
            self.stdout.write(f"  not reached: #{supporter.pk} {supporter} — {reason}")
