"""django-simple-history's HistoricalRecords, minus two wasted queries on every new record.

For a record with many-to-many fields, the library snapshots the relation after each save: it
re-reads the record's excluded fields and then its m2m rows. A record being created cannot
have m2m rows yet (they are added after it has a primary key, and that addition is recorded
as a change of its own), so for a creation both reads are skipped. This matters for supporters
created by the Stripe webhook, where every query is on the donor's wait.
"""

from typing import Any

from simple_history.models import HistoricalRecords


class CreationAwareHistoricalRecords(HistoricalRecords):
    def create_historical_record_m2ms(self, history_instance: Any, instance: Any) -> None:
        if history_instance.history_type == "+":
            return
        super().create_historical_record_m2ms(history_instance, instance)
