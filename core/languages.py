"""What staff type once per language: a field `x` in English and `x_es` in Spanish."""

from typing import Any


def pick_language(obj: Any, field: str, language: str | None) -> str:
    """`obj.<field>_es` for a Spanish reader when staff filled it in, else `obj.<field>`."""
    if (language or "").lower().startswith("es"):
        spanish = (getattr(obj, f"{field}_es", "") or "").strip()
        if spanish:
            return spanish
    return getattr(obj, field) or ""
