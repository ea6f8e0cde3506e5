"""The thank-you queue's speed, on a throwaway SQLite database:

- the queue page's list (ages, first-gift and large-gift tests, each gift's letter chosen by
  the rules) for Q gifts waiting, in milliseconds;
- 'Send thank-you emails' for N gifts (receipt PDF issued, the rules' letter rendered, the
  message queued in the outbox), gifts per second, beside the same-run floor: the same work
  with the built-in wording (no writer registered), so the figure shows what the composer's
  letters cost on top of the receipts.

    .venv/bin/python bench/thanks_queue.py [--queue 1000] [--emails 100]
"""

import argparse
import datetime
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(workdir: Path) -> None:
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
        TASKS_BACKEND="django_tasks.backends.dummy.DummyBackend",  # the outbox is not drained
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def gifts(count: int, start: int) -> list[int]:
    from crm.models import Supporter
    from donations.models import Fund, Gift

    Fund.objects.get_or_create(code="general", defaults={"name": "General", "is_default": True})
    today = datetime.date.today()  # noqa: DTZ011 - a bench's own data
    people = Supporter.objects.bulk_create(
        Supporter(first_name=f"Donor{start + i}", last_name="Bench",
                  email=f"donor{start + i}@example.org",
                  preferred_language="es" if i % 3 == 0 else "en")
        for i in range(count)
    )  # fmt: skip
    made = Gift.objects.bulk_create(
        Gift(supporter=person, amount=Decimal(1500 if i % 10 == 0 else 50), method="cheque",
             received_on=today - datetime.timedelta(days=i % 7))
        for i, person in enumerate(people)
    )  # fmt: skip
    return [gift.pk for gift in made]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queue", type=int, default=1000)
    parser.add_argument("--emails", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup(Path(tmp))
        from donations.acknowledgements import writing
        from donations.acknowledgements.queue import thank_by_email, thanks_queue

        gifts(args.queue, 0)
        thanks_queue()  # the default rules and letters set up, caches warm
        started = time.perf_counter()
        rows = thanks_queue()
        list_ms = (time.perf_counter() - started) * 1000
        print(f"queue list: {len(rows):,} gifts in {list_ms:.0f} ms")

        writer = writing.thank_you_writer()
        rates = {}
        for label, registered in (("built-in wording (floor)", None), ("rules' letters", writer)):
            writing._writers[:] = [registered] if registered else []
            ids = gifts(args.emails, 10_000 + len(rates) * args.emails)
            started = time.perf_counter()
            sent, _skipped = thank_by_email(ids)
            elapsed = time.perf_counter() - started
            rates[label] = sent / elapsed
            print(f"email, {label}: {sent} gifts in {elapsed:.1f} s = {rates[label]:.1f} gifts/s")
        floor, ours = rates["built-in wording (floor)"], rates["rules' letters"]
        print(f"rules' letters at {ours / floor:.0%} of the floor's rate")


if __name__ == "__main__":
    main()
