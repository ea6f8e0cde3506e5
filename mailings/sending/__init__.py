"""Sending a mailing, exactly once: the send is claimed (draft or scheduled -> sending) before
anything goes out; its recipients are snapshot into Delivery rows, unique per mailing,
supporter and channel; each email delivery is an outbox message composed per donor when a
worker sends it (core.outbox); print deliveries become one PDF for the print shop.
"""
