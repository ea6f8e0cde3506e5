from django.core.management.base import BaseCommand

from donations.summary import donor_summaries_rebuild


class Command(BaseCommand):
    help = (
        "Recompute every donor's giving summary and fiscal-year totals from their gifts. "
        "Run after changing the fiscal year's first month (the site also queues this itself) "
        "or after editing gifts directly in the database."
    )

    def handle(self, *args: object, **options: object) -> None:
        count = donor_summaries_rebuild()
        self.stdout.write(f"Recomputed the giving summaries of {count} supporters.")
