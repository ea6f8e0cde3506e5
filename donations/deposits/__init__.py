"""Money reaching the bank: cheque batches, Stripe payouts reconciled, and the journal export for
the bookkeeper."""
