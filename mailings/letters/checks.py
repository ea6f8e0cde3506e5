"""Whether a letter may go out: the merge checks a version must pass when it is saved, applied
again before a letter is shown or printed, since a letter saved by an older release or written
outside the composer never met today's checks."""

from django.core.exceptions import ValidationError

from mailings.models import Letter, LetterVersion


def letter_problems(letter: Letter) -> list[str]:
    """What the merge checks refuse in any version of the letter, in plain words; [] if none."""
    problems = []
    for version in letter.versions.all():
        try:
            version.clean()
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                label = LetterVersion._meta.get_field(field).verbose_name
                where = f"{version.get_language_display()} version, {label}"
                problems += [f"{where}: {error}" for error in errors]
    return problems


def letter_email_problems(letter: Letter) -> list[str]:
    """letter_problems, and what an email needs besides: a subject line in every version."""
    problems = letter_problems(letter)
    for version in letter.versions.all():
        if not version.subject.strip():
            problems.append(
                f"{version.get_language_display()} version, subject: the email has no subject "
                "line yet. Write one before the letter is emailed."
            )
    return problems
