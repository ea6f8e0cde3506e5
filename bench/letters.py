"""Appeal letter speed, on a throwaway SQLite database with demo supporters and gifts:

- print: one PDF of N two-page letters (the demo anniversary letter), pages per second with 1
  and 2 worker processes (goal: at least 40 pages/s on 2 cores), and as the reference the same
  letters rendered the plain way: one HTML document through WeasyPrint in one process, with no
  chunks, workers or garbage-collector tuning, and the ratio of the print run to it;
- email: M messages rendered for real supporters, CSS inlined and built into the ESP's API
  payload by django-anymail (Postmark's JSON; no MIME, no network), messages per second on one
  core (goal: at least 2,000/s).

    .venv/bin/python bench/letters.py [--letters 1000] [--emails 10000] [--only print|email]
"""

import argparse
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PRINT_GOAL = 40  # pages/s on 2 cores
EMAIL_GOAL = 2000  # messages/s on one core


def setup(workdir: Path, supporters: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DATABASE_URL=f"sqlite:///{workdir}/bench.sqlite3",
        MEDIA_ROOT=str(workdir / "media"),
        DEBUG="false",
        SECRET_KEY="bench-only",
        STRIPE_SECRET_KEY="sk_test_bench",
        STRIPE_WEBHOOK_SECRET="whsec_bench",
        ALLOWED_HOSTS="localhost",
        LOG_LEVEL="WARNING",
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("seed_demo", supporters=supporters, seed=3, stdout=io.StringIO())
    seconds = time.perf_counter() - started
    print(f"set-up: {supporters:,} demo supporters with gifts in {seconds:.0f} s")


def bench_print(letters: int, workdir: Path) -> None:
    from crm.models import Supporter
    from mailings.models import Mailing
    from mailings.printing.print_run import print_run, split_for_print

    mailing = Mailing.objects.get(slug="demo-anniversary")
    printable, _ = split_for_print(Supporter.objects.order_by("pk"))
    keep = {p.pk for p in printable[:letters]}
    # Only `letters` people get this mailing: tag them.
    from crm.models import Tag

    tag, _ = Tag.objects.get_or_create(name="bench print")
    through = Supporter.tags.through
    through.objects.bulk_create([through(supporter_id=pk, tag_id=tag.pk) for pk in keep])
    mailing.audience_tags.set([tag])
    rates = {}
    for workers in (1, 2):
        out = workdir / f"print-{workers}.pdf"
        started = time.perf_counter()
        run = print_run(mailing, out=out, workers=workers)
        elapsed = time.perf_counter() - started
        rate = rates[workers] = run.pages / elapsed
        verdict = "ok" if workers == 1 or rate >= PRINT_GOAL else "MISSED"
        print(
            f"print, {workers} process{'es' if workers > 1 else ''}: {run.letters:,} letters, "
            f"{run.pages:,} pages in {elapsed:.1f} s = {rate:.1f} pages/s, "
            f"{run.letters / elapsed:.1f} letters/s"
            + (f" (goal >= {PRINT_GOAL} pages/s: {verdict})" if workers == 2 else ""),
            flush=True,
        )
    # Last, so its memory (the whole layout at once) does not weigh on the runs above.
    letters_done, pages, elapsed = one_document(mailing, workdir / "one-document.pdf")
    reference = pages / elapsed
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"reference, one document in one process: {letters_done:,} letters, {pages:,} pages "
        f"in {elapsed:.1f} s = {reference:.1f} pages/s (peak memory of this process "
        f"{peak_mb:,.0f} MB)"
        + ("" if pages == run.pages else f"; NOT the print run's {run.pages:,} pages")
    )
    print(
        f"print run / reference: {rates[1] / reference:.2f} with 1 process, "
        f"{rates[2] / reference:.2f} with 2 processes"
    )


def one_document(mailing: Any, out: Path) -> tuple[int, int, float]:
    """The same letters, read and merged the same way, laid out as ONE HTML document by
    WeasyPrint in this process: its own path (HTML -> render -> write_pdf, through core.pdf for
    the same fetcher and base stylesheet, and so the same fonts and images), without the print
    run's chunks, worker processes or collector tuning. Letters, pages and seconds."""
    from pypdf import PdfReader

    from core.models import Organisation
    from mailings.letters.merge_values import recipients
    from mailings.letters.rendering import compile_letter
    from mailings.printing.letter_pdf import letters_pdf
    from mailings.printing.print_run import audience, split_for_print
    from mailings.printing.printed_letter import printed_letter

    started = time.perf_counter()
    printable, _ = split_for_print(audience(mailing))
    letter = mailing.letter
    compiled = compile_letter(letter)
    letters = [
        printed_letter(compiled.get(r.language) or compiled["en"], r.values, r.supporter)
        for r in recipients(letter, printable)
    ]
    organisation = Organisation.current()
    pdf = letters_pdf(
        letters, organisation=organisation, paper=organisation.paper_size, time_limit=3600
    )
    out.write_bytes(pdf)
    elapsed = time.perf_counter() - started
    return len(letters), len(PdfReader(io.BytesIO(pdf)).pages), elapsed


def bench_email(messages: int) -> None:
    from anymail.backends.postmark import EmailBackend
    from django.core.mail import EmailMultiAlternatives

    from core.models import Organisation
    from crm.models import Supporter
    from mailings.emails.rendering import render_email
    from mailings.letters.merge_values import recipients
    from mailings.letters.rendering import compile_letter
    from mailings.models import Letter

    letter = Letter.objects.get(appeal_code="anniv26")
    people = list(Supporter.objects.exclude(email="").order_by("pk"))
    organisation = Organisation.current()
    backend = EmailBackend(server_token="bench-token")  # noqa: S106 - never sent
    started = time.perf_counter()
    compiled = compile_letter(letter)
    # Merge values are read a batch at a time, as a send does.
    batch: list = []
    done = 0
    size = 0
    while done < messages:
        if not batch:
            start = done % len(people)
            batch = recipients(letter, people[start : start + 500])
        recipient = batch.pop()
        email = render_email(
            compiled[recipient.language], recipient.values, organisation=organisation
        )
        message = EmailMultiAlternatives(
            subject=email.subject, body=email.text, to=[recipient.supporter.email],
            from_email="Giving <giving@example.org>", headers=email.headers,
        )  # fmt: skip
        message.attach_alternative(email.html, "text/html")
        payload = backend.build_message_payload(message, backend.send_defaults)
        size += len(payload.serialize_data())
        done += 1
    elapsed = time.perf_counter() - started
    rate = messages / elapsed
    verdict = "ok" if rate >= EMAIL_GOAL else "MISSED"
    print(
        f"email, 1 process: {messages:,} messages rendered, CSS inlined and built into the ESP "
        f"payload in {elapsed:.1f} s = {rate:,.0f} messages/s (goal >= {EMAIL_GOAL:,}/s: "
        f"{verdict}); payload {size / messages / 1024:.1f} KiB each"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=1000)
    parser.add_argument("--emails", type=int, default=10000)
    parser.add_argument("--supporters", type=int, default=3000)
    parser.add_argument("--only", choices=["print", "email"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        setup(workdir, max(args.supporters, args.letters * 2))
        if args.only in (None, "email"):
            bench_email(args.emails)
        if args.only in (None, "print"):
            bench_print(args.letters, workdir)


if __name__ == "__main__":
    main()
