from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mailings.letters.bring_in import (
    BringInError,
    letter_bring_in,
    name_problem,
    recognized,
    text_from_file,
)
from mailings.letters.from_text import letter_from_text


class Command(BaseCommand):
    help = (
        "Bring in a letter staff already have: a Word file (.docx), text or Markdown (.txt, "
        ".md). Creates the letter and its version as the admin's way in does and prints what "
        "was recognized (headline, greeting, signers, P.S.) for a check."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The .docx, .txt or .md file.")
        parser.add_argument("--name", required=True, help="The letter's staff-only name.")
        parser.add_argument("--language", choices=["en", "es"], default="en")

    def handle(self, *args: object, path: Path, name: str, language: str,
               **options: object) -> None:  # fmt: skip
        if problem := name_problem(name):
            raise CommandError(f"--name: {problem} Nothing was brought in.")
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}.") from None
        try:
            text = text_from_file(path.name, data)
            letter = letter_bring_in(
                name=name.strip(), filename=path.name, data=data, language=language
            )
        except BringInError as error:
            raise CommandError(f"{error} Nothing was brought in.") from None
        except ValidationError as error:
            problems = "; ".join(
                f"{field}: {' '.join(messages)}"
                for field, messages in error.message_dict.items()
            ) if hasattr(error, "error_dict") else " ".join(error.messages)  # fmt: skip
            raise CommandError(f"{path.name}: {problems} Nothing was brought in.") from None
        self.stdout.write(f"Brought in '{letter.name}' ({language}) from {path.name}:")
        for label, value in recognized(letter_from_text(text)):
            if value:
                self.stdout.write(f"  {label + ':':<14}{value}")
