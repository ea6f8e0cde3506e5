from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.pdf import render_pdf  # noqa: F401 - fail early if WeasyPrint is missing
from donations.acknowledgements.statement_runs import (
    statement_plan,
    statements_email,
    statements_print,
)


class Command(BaseCommand):
    help = (
        "Year-end giving statements for fiscal year YEAR (the organisation's fiscal year setting "
        "is used): emailed where possible, the rest in one PDF to print sorted by postal code, "
        "and a list of donors who could not be reached and why. Statements already sent for "
        "the year (here or from the admin's statements screen) are not sent again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--out", default="var/statements", help="Folder for the print PDF.")

    def handle(self, *args: object, year: int, out: str, **options: object) -> None:
        if not 1900 < year < 3000:
            raise CommandError(f"--year must be a year such as 2026, not {year}.")
        emails = statements_email(fiscal_year=year)
        # Read once: who was printed before this run, and who cannot be reached (printing
        # changes neither).
        plan = statement_plan(fiscal_year=year)
        printed_before, unreachable = plan.printed, plan.unreachable
        pdf, printed = statements_print(fiscal_year=year)
        target = Path(out) / f"statements-{year}-print.pdf"
        if pdf:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(pdf)
        self.stdout.write(
            f"Fiscal year {year}: {emails.sent} emailed, "
            f"{emails.already_sent} skipped as already emailed, "
            f"{printed} to print" + (f" in {target}" if pdf else "") + ", "
            f"{printed_before} skipped as already printed, "
            f"{len(unreachable)} could not be reached."
        )
        for supporter, error in emails.failed:
            self.stdout.write(f"  email failed: #{supporter.pk} {supporter} — {error}")
        for line in unreachable:
            self.stdout.write(
                f"  not reached: #{line.supporter.pk} {line.supporter} — {line.reason}"
            )
