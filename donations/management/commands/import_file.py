"""`manage.py import_file PATH [--dry-run] [--mapping NAME] [--source SYSTEM]`: the admin's
import (people, gifts or both, told from the columns: donations.imports.any_file) for large
moves and scripts. Prints the preview's counts and the problems; exits non-zero when the file
would not import. `--mapping` reads the columns by a mapping saved on the admin's mapping
step (crm.importing.mapping), found by name in any case. Campaigns, funds and appeals not on
file take the preview's default (create the campaign or fund; keep an appeal as the gifts'
appeal code)."""

import io
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError, CommandParser

from crm.importing import files as import_files
from crm.importing.mapping import columns_from_saved, saved_mapping_find
from crm.models import ImportMapping
from donations.imports.any_file import FILE_IMPORT, kind_for

PROBLEMS_SHOWN = 50


class Command(BaseCommand):
    help = "Import people, gifts or both from a CSV or XLSX file, as the admin's import does."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the CSV or XLSX file")
        parser.add_argument("--dry-run", action="store_true", help="check and show; write nothing")
        parser.add_argument("--mapping", help="a saved column mapping, by name")
        parser.add_argument(
            "--source", default="", help="the system the file comes from (its ids are kept)"
        )
        parser.add_argument(
            "--not-thanked",
            action="store_true",
            help="gifts without an 'Acknowledged?' column wait in the thank-you queue",
        )
        parser.add_argument("--consent-source", default="", help="where opt-ins were given")

    def handle(self, *args: Any, **options: Any) -> None:
        saved = None
        if options["mapping"]:
            saved = saved_mapping_find(options["mapping"])
            if saved is None:
                raise CommandError(f"There is no saved mapping named '{options['mapping']}'.")
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        file_format = "xlsx" if path.suffix.lower() == ".xlsx" else "csv"
        upload = SimpleUploadedFile(path.name, path.read_bytes())
        try:
            checked = import_files.check_upload(upload, file_format)
            headers, rows = import_files.read_rows(io.BytesIO(checked.content), file_format)
        except import_files.ImportFileError as exc:
            raise CommandError(exc.message) from None

        columns = None
        if saved is not None:
            columns = self._columns(saved, headers)
        kind = kind_for(headers, columns)
        report = FILE_IMPORT.run(
            headers=headers,
            rows=rows,
            dry_run=options["dry_run"],
            actor=None,
            file_name=path.name,
            consent_source=options["consent_source"],
            source_system=options["source"],
            already_thanked=not options["not_thanked"],
            columns=columns,
        )
        self.stdout.write(f"{path.name}: read as {'gifts' if kind.name == 'gifts' else 'people'}")
        if saved is not None:
            self.stdout.write(f"  Columns read by the saved mapping '{saved.name}'.")
        preview = FILE_IMPORT.preview(
            headers, {"already_thanked": not options["not_thanked"], "columns": columns}
        )
        for note in [*preview.notes[1:], *report.notes]:
            self.stdout.write(f"  {note}")
        if report.ignored_columns:
            self.stdout.write(f"  Columns ignored: {', '.join(report.ignored_columns)}")
        for choice in report.choices:
            default = dict(choice["options"])[choice["default"]]
            self.stdout.write(f"  {choice['label']}: {default}")
        self.stdout.write(FILE_IMPORT.summary(report.totals) + ".")
        if not report.ok:
            for error in report.file_errors:
                self.stderr.write(error)
            for row in report.invalid_rows[:PROBLEMS_SHOWN]:
                for field, messages in row.errors.items():
                    label = FILE_IMPORT.labels.get(field, field)
                    for message in messages:
                        self.stderr.write(f"Row {row.number}: {label}: {message}")
            more = len(report.invalid_rows) - PROBLEMS_SHOWN
            if more > 0:
                self.stderr.write(f"... and {more} more rows with problems.")
            raise CommandError("The file was not imported: fix the problems above.")
        if report.written:
            self.stdout.write(self.style.SUCCESS("Imported."))
        else:
            self.stdout.write("Dry run: nothing was written.")

    def _columns(self, saved: ImportMapping, headers: list[object]) -> list[str]:
        """The saved mapping applied to this file, as the admin's mapping step would; a
        header it does not name is read as recognised, and an unfit result is refused."""
        fields = FILE_IMPORT.columns
        columns, _left_open = columns_from_saved(saved, headers, fields)
        problems = fields.check(headers, columns)
        if problems:
            raise CommandError(
                f"The saved mapping '{saved.name}' does not fit this file: " + " ".join(problems)
            )
        return columns
