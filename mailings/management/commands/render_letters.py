from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mailings.models import Mailing
from mailings.printing.print_run import PrintRunRefused, print_run


class Command(BaseCommand):
    help = (
        "Render a mailing's printed letters into one PDF for the print shop, sorted by postal "
        "code, each letter on a new sheet; people left out are listed in FILE.skipped.csv."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("mailing", help="The mailing's slug, e.g. demo-anniversary.")
        parser.add_argument("--out", required=True, type=Path, help="Where to write the PDF.")
        parser.add_argument(
            "--duplex-safe",
            action="store_true",
            help="Add a blank page after a letter with an odd page count, so each letter "
            "starts on the front of a sheet when printed on both sides.",
        )
        parser.add_argument(
            "--workers", type=int, default=None, help="Processes (default: one per core)."
        )

    def handle(self, *args: object, mailing: str, out: Path, duplex_safe: bool,
               workers: int | None, **options: object) -> None:  # fmt: skip
        found = Mailing.objects.select_related("letter").filter(slug=mailing).first()
        if found is None:
            known = ", ".join(Mailing.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"No mailing '{mailing}'. Mailings: {known}.")
        try:
            run = print_run(found, out=out, workers=workers, duplex_safe=duplex_safe)
        except PrintRunRefused as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(f"Wrote {run.letters} letters, {run.pages} pages, to {out}.")
        if run.window_problems:
            self.stdout.write(
                f"{len(run.window_problems)} of them have an address that would not stay in "
                f"view in the envelope's window: see {out.with_suffix('.window.csv')}."
            )
        if run.skipped:
            reasons: dict[str, int] = {}
            for row in run.skipped:
                reasons[row.reason] = reasons.get(row.reason, 0) + 1
            summary = ", ".join(f"{count} {reason}" for reason, count in sorted(reasons.items()))
            self.stdout.write(
                f"Left out {len(run.skipped)} ({summary}): see {out.with_suffix('.skipped.csv')}."
            )
