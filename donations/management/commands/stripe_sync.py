import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser

from donations.stripe import client as stripe_client
from donations.stripe.inbox import HANDLERS, NeedsAttention, stripe_event_store_and_process


class Command(BaseCommand):
    help = (
        "Fetch from Stripe the events created since DATE (YYYY-MM-DD) that this site never "
        "received (for example while it was down), store them in the inbox and process them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", required=True, help="YYYY-MM-DD (UTC)")

    def handle(self, *args: object, since: str, **options: object) -> None:
        try:
            day = datetime.date.fromisoformat(since)
        except ValueError:
            raise CommandError(f"--since must be a date like 2026-03-01, not {since!r}.") from None
        start = int(
            datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC).timestamp()
        )
        events = self._fetch(start)
        stored = processed = failed = attention = 0
        for event in reversed(events):  # Stripe lists newest first; apply oldest first
            if event.get("type") not in HANDLERS:
                continue
            # The webhook's own way into the inbox: the same row, processed the same way.
            outcome = stripe_event_store_and_process(event)
            stored += outcome.stored
            if isinstance(outcome.failure, NeedsAttention):
                # Impossible data, kept on the row for a person: not a failure to retry.
                attention += 1
                self.stderr.write(f"{event['id']} needs attention: {outcome.failure}")
            elif outcome.failure is not None:  # kept on the row for stripe_reprocess
                failed += 1
                self.stderr.write(f"{event['id']}: {outcome.failure}")
            elif outcome.processed:
                processed += 1
        self.stdout.write(
            f"Fetched events since {day}: {stored} new, {processed} processed, {failed} failed, "
            f"{attention} need(s) attention."
        )

    def _fetch(self, start: int) -> list[dict]:
        events: list[dict] = []
        cursor = None
        while True:
            page = stripe_client.list_events(created_since=start, starting_after=cursor)
            batch = page.get("data", [])
            events += batch
            if not page.get("has_more") or not batch:
                return events
            cursor = batch[-1]["id"]
