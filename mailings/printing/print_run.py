"""A mailing's print run: one PDF for the print shop, letters sorted by postal code, each on a
new sheet, the list of people left out and why, and the letters whose address would not stay in
view in the organization's window envelope, with the reason (read from each letter's layout:
mailings.printing.print_check).

Letters are laid out in chunks (one WeasyPrint document per chunk, which shares fonts and
styles across its letters) by a pool of processes, one per core, then joined in order.
"""

import csv
import io
import itertools
import math
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connections
from pypdf import PdfWriter

from core.models import Organisation
from core.pdf import collector_tuned_for_layout
from crm.models import Supporter
from mailings.letters.checks import letter_problems
from mailings.letters.merge_values import recipients
from mailings.letters.rendering import compile_letter
from mailings.models import Mailing
from mailings.printing.households import household_values, letter_groups
from mailings.printing.print_check import checked_letters_pdf

CHUNK = 40


@dataclass(frozen=True)
class Skipped:
    supporter_id: int
    name: str
    reason: str


class PrintRunRefused(Exception):
    """A mailing that cannot be printed as it stands; the message says what to fix."""


@dataclass(frozen=True)
class PrintRun:
    letters: int
    pages: int
    skipped: list[Skipped]
    # One tuple of supporter ids per letter, in the PDF's order: the addressee, then the
    # household members it greets with them (mailings.printing.households).
    printed: tuple[tuple[int, ...], ...] = ()
    # Letters printed whose address fails the envelope's tap test: addressee and why.
    window_problems: tuple[Skipped, ...] = ()


def audience(mailing: Mailing, supporter_ids: Sequence[int] | None = None) -> list[Supporter]:
    """The given supporters (a sent mailing's print deliveries), or without them the
    supporters with any of the mailing's audience_tags (everyone when it has none)."""
    people = Supporter.objects.all()
    if supporter_ids is not None:
        people = people.filter(pk__in=supporter_ids)
    elif tags := list(mailing.audience_tags.values_list("pk", flat=True)):
        people = people.filter(tags__in=tags).distinct()
    return list(people.order_by("postal_code", "last_name", "first_name", "pk"))


def split_for_print(people: Sequence[Supporter]) -> tuple[list[Supporter], list[Skipped]]:
    printable, skipped = [], []
    for person in people:
        reason = _skip_reason(person)
        if reason:
            skipped.append(Skipped(person.pk, person.display_name, reason))
        else:
            printable.append(person)
    return printable, skipped


def _skip_reason(person: Supporter) -> str:
    if person.deceased:
        return "deceased"
    if person.do_not_mail or person.do_not_contact:
        return "do not mail"
    if not person.has_postal_address:
        return "no postal address"
    return ""


def print_run(
    mailing: Mailing,
    *,
    out: Path,
    workers: int | None = None,
    duplex_safe: bool = False,
    chunk: int = CHUNK,
    supporters: Sequence[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PrintRun:
    """Refuses (PrintRunRefused) before writing anything when the letter has no text or fails
    the merge checks the composer's preview applies (letter_problems).

    `supporters`: the ids to print (a sent mailing's print deliveries); without them, the
    mailing's audience_tags choose (render_letters). `progress(done, total)` is told the
    letters laid out so far after each chunk."""
    _refuse_unprintable(mailing)
    printable, skipped = split_for_print(audience(mailing, supporters))
    ids = letter_groups([(p.pk, p.household_id) for p in printable])  # one per letter
    workers = max(1, workers or os.cpu_count() or 1)
    chunks = split_into_chunks(ids, size=chunk, workers=workers)
    workers = min(workers, len(chunks) or 1)
    # Read once for the whole run and handed to every chunk (a model instance pickles).
    organisation = Organisation.current()
    parts = _render_chunks(
        mailing.pk, chunks, organisation, workers=workers, duplex_safe=duplex_safe
    )
    writer = PdfWriter()
    done = 0
    window_problems: list[Skipped] = []
    if progress is not None:
        progress(0, len(ids))
    for (part, problems), ids_done in zip(parts, chunks, strict=True):
        writer.append(io.BytesIO(part))
        window_problems += problems
        done += len(ids_done)
        if progress is not None:
            progress(done, len(ids))
        if duplex_safe and len(writer.pages) % 2:
            writer.add_blank_page()  # so the next chunk's first letter starts on a front
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as handle:
        writer.write(handle)
    _write_skipped(out.with_suffix(".skipped.csv"), skipped)
    _write_skipped(out.with_suffix(".window.csv"), window_problems, "Address in the window")
    return PrintRun(
        letters=len(ids), pages=len(writer.pages), skipped=skipped, printed=tuple(ids),
        window_problems=tuple(window_problems),
    )  # fmt: skip


def _refuse_unprintable(mailing: Mailing) -> None:
    letter = mailing.letter
    if not letter.versions.exists():
        raise PrintRunRefused(f"The letter '{letter}' has no text yet.")
    if problems := letter_problems(letter):
        raise PrintRunRefused(
            f"The letter '{letter}' cannot be printed until these are fixed: " + "; ".join(problems)
        )


def split_into_chunks(ids: list[Any], *, size: int, workers: int) -> list[list[Any]]:
    """Consecutive chunks of at most about `size` ids, as even as can be, their number a
    multiple of `workers`, so the last round of chunks keeps every worker busy (25 chunks on 2
    workers would leave one idle for the whole of the last chunk)."""
    if not ids:
        return []
    count = math.ceil(len(ids) / size)
    count = min(len(ids), math.ceil(count / workers) * workers)
    bounds = [round(i * len(ids) / count) for i in range(count + 1)]
    return [ids[start:end] for start, end in itertools.pairwise(bounds)]


def _render_chunks(
    mailing_id: int,
    chunks: list[list[tuple[int, ...]]],
    organisation: Organisation,
    *,
    workers: int,
    duplex_safe: bool,
) -> Iterator[tuple[bytes, list[Skipped]]]:
    if workers == 1:
        yield from (render_chunk(mailing_id, ids, duplex_safe, organisation) for ids in chunks)
        return
    # Forked workers must not share the parent's database connection.
    connections.close_all()
    count = len(chunks)
    with ProcessPoolExecutor(max_workers=workers, initializer=_own_connections) as pool:
        yield from pool.map(
            render_chunk, [mailing_id] * count, chunks, [duplex_safe] * count,
            [organisation] * count,
        )  # fmt: skip


_inherited: list[object] = []


def _own_connections() -> None:
    """Worker start: forget any database connection the fork copied. The parent closes its
    own before forking, yet after the browser tests (Playwright runs greenlets, which have
    contexts of their own) the workers were found holding an older, still open connection of
    the parent's: two processes on one socket get each other's answers. Forgotten, not
    closed: closing would end a session the parent owns. Workers end with os._exit."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None:
            _inherited.append(connection.connection)
            connection.connection = None


def render_chunk(
    mailing_id: int,
    supporter_ids: Sequence[int | tuple[int, ...]],
    duplex_safe: bool,
    organisation: Organisation | None = None,
) -> tuple[bytes, list[Skipped]]:
    """One PDF for these letters, in the order given (run in a worker process), with the
    organisation the run read once (read here when called alone), and the letters among them
    whose address fails the envelope's tap test. A letter is a supporter's id, or a tuple of
    a household's: its addressee's, then those it greets with them."""
    organisation = organisation or Organisation.current()
    with collector_tuned_for_layout():
        return _render_chunk(mailing_id, supporter_ids, duplex_safe, organisation)


def _render_chunk(
    mailing_id: int,
    supporter_ids: Sequence[int | tuple[int, ...]],
    duplex_safe: bool,
    organisation: Organisation,
) -> tuple[bytes, list[Skipped]]:
    mailing = Mailing.objects.select_related("letter", "letter__campaign").get(pk=mailing_id)
    letter = mailing.letter
    groups = [g if isinstance(g, tuple | list) else (g,) for g in supporter_ids]
    people = (
        Supporter.objects.select_related("household")
        .prefetch_related("household__members")
        .in_bulk([pk for group in groups for pk in group])
    )
    ordered = [people[g[0]] for g in groups if g[0] in people]
    members = {g[0]: [people[pk] for pk in g if pk in people] for g in groups}
    compiled = compile_letter(letter)
    items = []
    for recipient in recipients(letter, ordered, organisation=organisation):
        version = compiled.get(recipient.language) or compiled["en"]
        values, together = recipient.values, members[recipient.supporter.pk]
        if len(together) > 1:  # one letter for the household
            values = household_values(values, together, recipient.language)
        items.append((version, values, recipient.supporter))
    pdf, checks = checked_letters_pdf(items, duplex_safe=duplex_safe, organisation=organisation)
    problems = [
        Skipped(supporter.pk, values.get("addressee") or supporter.display_name,
                check.envelope_verdict.reason)
        for (_, values, supporter), check in zip(items, checks, strict=True)
        if not check.envelope_verdict.ok
    ]  # fmt: skip
    return pdf, problems


def _write_skipped(path: Path, skipped: list[Skipped], why: str = "Why not printed") -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Supporter ID", "Name", why])
        for row in skipped:
            name = row.name
            if name[:1] in ("=", "+", "-", "@", "\t", "\r"):
                name = "'" + name  # a spreadsheet must not run it as a formula
            writer.writerow([row.supporter_id, name, row.reason])
