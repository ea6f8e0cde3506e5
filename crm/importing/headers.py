"""Which field each column of an imported sheet holds, from the header names donor systems use.
One HeaderMap per kind of import (supporters, gifts), built from its aliases.

Headers are read as people write them: in any case, with or without punctuation, with a
prefix naming whose or which address it is ('Home City', 'DONOR EMAIL ADDRESS') and with a
number ('Phone1', 'Phone 2'): a first one is the field itself, a second one the field's `_2`
when the map has it."""

import re
from collections.abc import Iterator, Mapping, Sequence

_SPACES = re.compile(r"[\s_]+")
# Marks that say nothing about the field: 'Acknowledged?', 'Email:', '*Amount', '"Date"'.
_NOISE = re.compile(r"[?*:\"'()\[\]]+")
_AROUND_SLASH = re.compile(r"\s*/\s*")
# 'phone1', 'phone 2', 'phone #2': a field and its number.
_NUMBERED = re.compile(r"^(.*[a-z])\s*#?\s*([1-9])$")
# Whose or which address a column is about; the field underneath is the same.
PREFIXES = ("home", "primary", "mailing", "billing", "donor")


def header_key(header: object) -> str:
    """'First_Name ', 'first  name' and 'FIRST NAME' are one header; so are 'Acknowledged?'
    and 'acknowledged', and 'Postal / Zip Code' and 'postal/zip code'."""
    text = _NOISE.sub(" ", str(header or "").lower())
    text = _AROUND_SLASH.sub("/", _SPACES.sub(" ", text).strip())
    return text.strip(" .-")


def key_variants(key: str) -> Iterator[str]:
    """The key as given, then without its prefixes one at a time: 'donor postal/zip code',
    'postal/zip code'. A whole header is always tried before a shorter one."""
    yield key
    while True:
        head, _, rest = key.partition(" ")
        if head not in PREFIXES or not rest:
            return
        key = rest
        yield key


class HeaderMap:
    """Field names by header spelling. `fallback` answers headers this map does not know
    (a gift sheet's 'First Name' is the supporter map's), limited to `fallback_fields`."""

    def __init__(
        self,
        aliases: Mapping[str, tuple[str, ...]],
        *,
        fallback: "HeaderMap | None" = None,
        fallback_fields: tuple[str, ...] = (),
    ) -> None:
        self.aliases = aliases
        self._lookup = {header_key(a): field for field, names in aliases.items() for a in names}
        self._fields = frozenset(aliases)
        self._fallback = fallback
        self._fallback_fields = frozenset(fallback_fields)

    def field_for(self, header: object) -> str | None:
        for key in key_variants(header_key(header)):
            field = self._own(key)
            if field is None and self._fallback is not None:
                field = self._fallback._own(key)
                field = field if field in self._fallback_fields else None
            if field is not None:
                return field
        return None

    def _own(self, key: str) -> str | None:
        """This map's field for one normalised key, reading a trailing number: 'phone1' is
        'phone', 'phone 2' is 'phone_2' when this map has that field (and nothing otherwise)."""
        field = self._lookup.get(key)
        if field is not None:
            return field
        numbered = _NUMBERED.match(key)
        if numbered is None:
            return None
        base = self._lookup.get(numbered.group(1))
        if base is None:
            return None
        number = int(numbered.group(2))
        if number == 1:
            return base
        return f"{base}_{number}" if f"{base}_{number}" in self._fields else None

    def map(self, headers: list[object]) -> tuple[dict[int, str], list[str], list[str]]:
        """Column index -> field, plus the headers not recognised and fields given twice."""
        mapping: dict[int, str] = {}
        unknown: list[str] = []
        repeated: list[str] = []
        for index, header in enumerate(headers):
            field = self.field_for(header)
            if field is None:
                if str(header or "").strip():
                    unknown.append(str(header))
            elif field in mapping.values():
                repeated.append(str(header))
            else:
                mapping[index] = field
        return mapping, unknown, repeated

    def map_columns(
        self, headers: list[object], chosen: Sequence[str] | None = None
    ) -> tuple[dict[int, str], list[str], list[str]]:
        """As map(), or from the field staff chose for each column on the mapping step
        (crm.importing.mapping; "" is a column not imported), which then replaces the
        headers' reading. A field this map does not hold is not imported."""
        if chosen is None:
            return self.map(headers)
        known = self._fields | self._fallback_fields
        mapping: dict[int, str] = {}
        ignored: list[str] = []
        repeated: list[str] = []
        for index, header in enumerate(headers):
            field = chosen[index] if index < len(chosen) else ""
            if field not in known:
                if str(header or "").strip():
                    ignored.append(str(header))
            elif field in mapping.values():
                repeated.append(str(header))
            else:
                mapping[index] = field
        return mapping, ignored, repeated


def repeated_columns_error(repeated: list[str]) -> str:
    return (
        "These columns say the same thing as an earlier column: "
        + ", ".join(repeated)
        + ". Keep one of each."
    )


def columns_found(headers: list[object]) -> str:
    return ", ".join(str(h) for h in headers if h) or "none"
