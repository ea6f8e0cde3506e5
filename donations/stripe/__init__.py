"""Stripe: the only importer of the stripe SDK (client), the webhook inbox and its handlers, and
the local test checkout."""
