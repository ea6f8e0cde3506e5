"""Thanking donors: thank-you emails, receipts, year-end statements, tribute notices and the queue
of gifts to thank."""
