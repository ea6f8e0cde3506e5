"""The cheque batch: its screen (views), forms, donor search (selectors) and recording
(services)."""

from donations.deposits.batch.views import batch_entry, batch_urls

__all__ = ["batch_entry", "batch_urls"]
