import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError, transaction

from donations import stripe_client
from donations.models import StripeEvent
from donations.stripe_events import HANDLERS, NeedsAttention, stripe_event_process


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
            try:
                with transaction.atomic():
                    row, created = StripeEvent.objects.get_or_create(
                        event_id=event["id"],
                        defaults={
                            "type": event["type"],
                            "payload": event,
                            "livemode": bool(event.get("livemode")),
                        },
                    )
            except IntegrityError:  # the webhook stored it meanwhile
                continue
            stored += created
            if row.processed_at is None:
                try:
                    stripe_event_process(event_pk=row.pk)
                    processed += 1
                except NeedsAttention as exc:
                    # Impossible data, kept on the row for a person: not a failure to retry.
                    attention += 1
                    self.stderr.write(f"{event['id']} needs attention: {exc}")
                except Exception as exc:  # noqa: BLE001 - kept on the row for reprocess
                    failed += 1
                    self.stderr.write(f"{event['id']}: {exc}")
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
