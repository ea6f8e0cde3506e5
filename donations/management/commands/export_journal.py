import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from donations.deposits.journal import journal_kind, journal_rows, journal_write


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date written YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Write the deposits from --from to --to (Stripe payouts that reached the bank, check "
        "batches) as balanced manual journals in Xero's manual-journal layout: .csv to import, "
        ".xlsx to review."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD")
        parser.add_argument("--out", required=True, help="FILE.csv or FILE.xlsx")

    def handle(self, *args: object, start: str, end: str, out: str, **options: object) -> None:
        first, last = _day(start), _day(end)
        if last < first:
            raise CommandError("--to is before --from.")
        try:
            kind = journal_kind(out)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        rows = journal_rows(start=first, end=last)
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as stream:
            journal_write(rows, stream, kind=kind)
        deposits = len({row.narration for row in rows})
        self.stdout.write(f"{deposits} deposit(s), {len(rows)} journal line(s) written to {path}.")
