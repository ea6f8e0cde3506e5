"""The one way an address is hashed for the suppression list, shared by the outbox and by
supporter records (crm keeps each supporter's hash so an audience can leave suppressed
addresses out in SQL). Pure: no models."""

import hashlib


def email_hash(email: str | None) -> str:
    """SHA-256 of the address as stored (trimmed, lower case); '' for no address."""
    email = (email or "").strip().lower()
    return hashlib.sha256(email.encode()).hexdigest() if email else ""
