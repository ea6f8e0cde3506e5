"""The tiny helpers config/settings.py (and the builders beside it) read the environment with:
each says what a variable must be and fails loudly, naming it, when it is not."""

import os
import re

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the environment variable {name}.")
    return value


def env_secret(name: str, local_default: str, *, debug: bool) -> str:
    """A secret: with DEBUG on, the local default when unset; with DEBUG off, required, and an
    empty or blank value counts as missing (`.env.example` ships them empty)."""
    value = os.environ.get(name)
    if debug:
        return value or local_default
    if value is None or not value.strip():
        raise ImproperlyConfigured(
            f"{name} is required when DEBUG is false and must not be empty. "
            "Set it in the environment (see .env.example)."
        )
    return value.strip()


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from exc


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() == "true":
        return True
    if raw.lower() == "false":
        return False
    raise ImproperlyConfigured(f"{name} must be 'true' or 'false', not {raw!r}.")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_rate(name: str, default: str) -> str:
    """A django-ratelimit rate such as '10/10m' (count/[multiplier]s|m|h|d); 'off' gives ''."""
    value = env_str(name, default).strip() or default
    if value.lower() == "off":
        return ""
    if not re.fullmatch(r"[1-9]\d*/\d*[smhd]", value):
        raise ImproperlyConfigured(
            f"{name} must be a rate such as 10/10m, 5/h or 100/d, or 'off'; not {value!r}."
        )
    return value
