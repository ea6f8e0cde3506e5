"""Which field each column of an imported sheet holds, from the header names donor systems use.
One HeaderMap per kind of import (supporters, gifts), built from its aliases."""

import re
from collections.abc import Mapping

_SPACES = re.compile(r"[\s_]+")


def header_key(header: object) -> str:
    """'First_Name ', 'first  name' and 'FIRST NAME' are one header."""
    return _SPACES.sub(" ", str(header or "").strip().lower())


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
        self._fallback = fallback
        self._fallback_fields = frozenset(fallback_fields)

    def field_for(self, header: object) -> str | None:
        field = self._lookup.get(header_key(header))
        if field is None and self._fallback is not None:
            field = self._fallback.field_for(header)
            return field if field in self._fallback_fields else None
        return field

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


def repeated_columns_error(repeated: list[str]) -> str:
    return (
        "These columns say the same thing as an earlier column: "
        + ", ".join(repeated)
        + ". Keep one of each."
    )


def columns_found(headers: list[object]) -> str:
    return ", ".join(str(h) for h in headers if h) or "none"
