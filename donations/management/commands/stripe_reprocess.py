from django.core.management.base import BaseCommand, CommandParser

from donations.models import StripeEvent
from donations.stripe.inbox import NeedsAttention, stripe_event_process


class Command(BaseCommand):
    help = "Process again the Stripe events whose processing failed or never finished."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=1000)

    def handle(self, *args: object, limit: int, **options: object) -> None:
        pending = StripeEvent.objects.filter(processed_at__isnull=True).order_by("received_at")
        done = failed = attention = 0
        for event_pk, event_id in pending.values_list("pk", "event_id")[:limit]:
            try:
                stripe_event_process(event_id=event_id)
                done += 1
            except NeedsAttention as exc:
                # Not a failure: the event's own data is impossible, and a retry changes
                # nothing until a person (or a setting) does. Its reason is on the row.
                attention += 1
                self.stderr.write(f"event #{event_pk} ({event_id}) needs attention: {exc}")
            except Exception as exc:  # noqa: BLE001 - each failure is kept on its row
                failed += 1
                self.stderr.write(f"event #{event_pk} ({event_id}): {type(exc).__name__}: {exc}")
        self.stdout.write(
            f"Reprocessed {done} event(s); {failed} still failing; {attention} need(s) attention."
        )
