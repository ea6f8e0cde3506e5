"""Signals other apps listen to. crm cannot import them (dependency direction), so apps that
keep data derived from a supporter's rows recompute it when told."""

from django.dispatch import Signal

# Sent by `seed_demo` after the demo supporters are in: seed=int. Apps add their own demo
# rows (gifts, letters), deterministically and only once.
demo_seeded = Signal()
