"""Printing a sent mailing's letters in the background: the print-shop PDF of exactly its print
deliveries, in postal-code order, and the mailing list beside it (a CSV for the envelopes or
the print shop's addressing), kept on the mailing for staff to download.

`mailing_print_start` claims the job (one at a time per mailing) and queues the task on
commit; `mailing_print_run` (the task's body) claims it again, queued -> printing, so a task
run twice prints once, and reports letters done as it goes.
"""

import csv
import io
import logging
import tempfile
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.spreadsheets import neutralise_formula
from crm.models import Supporter
from mailings.models import Mailing
from mailings.printing.households import household_names
from mailings.printing.print_run import PrintRunRefused, print_run
from mailings.sending.models import Delivery, MailingLog

logger = logging.getLogger(__name__)
PrintStatus = Mailing.PrintStatus
LIST_HEADERS = [
    "Supporter ID", "Name", "Address line 1", "Address line 2", "City", "State / region",
    "ZIP / postal code", "Country",
]  # fmt: skip


def mailing_print_start(*, mailing: Mailing, user: AbstractBaseUser | None) -> None:
    """Queue the print run; PrintRunRefused when there is nothing to print or it is under way."""
    if not Delivery.objects.filter(mailing=mailing, channel=Delivery.Channel.PRINT).exists():
        raise PrintRunRefused(
            "This mailing has no letters to print: print deliveries are written when it is sent."
        )
    stale = timezone.now() - timedelta(minutes=settings.PRINT_RUN_STALE_MINUTES)
    # Not while a run is queued or printing, unless that run went silent (its worker stopped).
    under_way = Q(print_status=PrintStatus.QUEUED) | Q(
        print_status=PrintStatus.PRINTING, print_heartbeat_at__gte=stale
    )
    claimed = (
        Mailing.objects.filter(pk=mailing.pk)
        .exclude(under_way)
        .update(
            print_status=PrintStatus.QUEUED, print_done=0, print_total=0, print_error="",
            print_heartbeat_at=timezone.now(), print_window_problems=[],
        )
    )  # fmt: skip
    if not claimed:
        raise PrintRunRefused("The letters are being printed already; this page shows progress.")
    MailingLog.objects.create(
        mailing=mailing, user=user if getattr(user, "pk", None) else None, action="Print started"
    )
    from mailings.tasks import mailing_print

    transaction.on_commit(lambda: mailing_print.enqueue(mailing.pk))


def print_run_stale(mailing: Mailing) -> bool:
    """A run left 'printing' by a worker that stopped: no sign of life for too long."""
    stale = timezone.now() - timedelta(minutes=settings.PRINT_RUN_STALE_MINUTES)
    beat = mailing.print_heartbeat_at
    return mailing.print_status == PrintStatus.PRINTING and (beat is None or beat < stale)


def mailing_print_run(*, mailing_id: int, workers: int | None = None) -> bool:
    """Print a queued run; False when it was not queued (run already, or by another worker)."""
    claimed = Mailing.objects.filter(pk=mailing_id, print_status=PrintStatus.QUEUED).update(
        print_status=PrintStatus.PRINTING, print_heartbeat_at=timezone.now()
    )
    if not claimed:
        return False
    mailing = Mailing.objects.select_related("letter").get(pk=mailing_id)
    ids = list(
        Delivery.objects.filter(
            mailing=mailing, channel=Delivery.Channel.PRINT, supporter__isnull=False
        ).values_list("supporter_id", flat=True)
    )

    def progress(done: int, total: int) -> None:
        Mailing.objects.filter(pk=mailing_id).update(
            print_done=done, print_total=total, print_heartbeat_at=timezone.now()
        )

    try:
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "letters.pdf"
            run = print_run(
                mailing,
                out=out,
                supporters=ids,
                progress=progress,
                workers=workers or settings.PRINT_RUN_WORKERS or None,
            )
            _keep_files(mailing, out, run.printed)
    except PrintRunRefused as refused:
        _stopped(mailing_id, str(refused))
        return False
    except Exception:
        _stopped(mailing_id, "Something unexpected went wrong; try again, or tell whoever "
                 "looks after this site (the error is in its log).")  # fmt: skip
        raise
    Mailing.objects.filter(pk=mailing_id).update(
        print_status=PrintStatus.DONE,
        print_pdf=mailing.print_pdf.name,
        print_list=mailing.print_list.name,
        print_done=run.letters,
        print_total=run.letters,
        print_window_problems=[
            {"supporter_id": row.supporter_id, "name": row.name, "reason": row.reason}
            for row in run.window_problems
        ],
    )
    left_out = f"; {len(run.skipped)} left out since it was sent" if run.skipped else ""
    hidden = (
        f"; {len(run.window_problems)} with an address that would hide in the envelope window"
        if run.window_problems
        else ""
    )
    MailingLog.objects.create(
        mailing=mailing,
        action=f"Printed {run.letters} letters, {run.pages} pages{left_out}{hidden}",
    )
    return True


def _keep_files(mailing: Mailing, pdf: Path, printed: Sequence[tuple[int, ...]]) -> None:
    """Store this run's files on the mailing (not saved yet) and remove the last run's."""
    old = [f.name for f in (mailing.print_pdf, mailing.print_list) if f]
    with pdf.open("rb") as handle:
        mailing.print_pdf.save(f"{mailing.slug}-letters.pdf", File(handle), save=False)
    mailing.print_list.save(
        f"{mailing.slug}-mailing-list.csv", ContentFile(mailing_list_csv(printed)), save=False
    )
    for name in old:
        mailing.print_pdf.storage.delete(name)


def mailing_list_csv(letters: Sequence[int | Sequence[int]]) -> bytes:
    """Name and address of each letter, in the PDF's order; no cell runs as a formula. A
    letter is a supporter's id, or a household's ids (its addressee first): then the name
    is the household's envelope name, as on the letter."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(LIST_HEADERS)
    groups = [tuple(g) if isinstance(g, tuple | list) else (g,) for g in letters]
    for start in range(0, len(groups), 2000):
        batch = groups[start : start + 2000]
        people = (
            Supporter.objects.select_related("household")
            .prefetch_related("household__members")
            .in_bulk([pk for group in batch for pk in group])
        )
        for group in batch:
            if (person := people.get(group[0])) is None:
                continue
            together = [people[pk] for pk in group if pk in people]
            name = (
                household_names(together).envelope
                if len(together) > 1
                else person.effective_addressee
            )
            row = [
                person.pk, name, person.address_line1, person.address_line2, person.city,
                person.region, person.postal_code, person.country,
            ]  # fmt: skip
            writer.writerow([neutralise_formula(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")  # the BOM: Excel reads the accents right


def _stopped(mailing_id: int, why: str) -> None:
    Mailing.objects.filter(pk=mailing_id).update(
        print_status=PrintStatus.FAILED, print_error=why[:500]
    )
    logger.warning("Print run of mailing %s stopped: %s", mailing_id, why)
