"""One letter per household: the address written the same way, computed in SQL.

Two records are one household when line 1, line 2, the postal key (crm.matching.postal_key,
stored as match_postal: a ZIP+4 is its ZIP) and the country agree once case, surrounding and
doubled spaces, and the punctuation people type differently ('.', ',', '#') are set aside:
'12 Oak St., Apt 4' and '12 oak st  apt 4' agree. Plain SQL functions only, so SQLite and
PostgreSQL agree."""

from django.db.models import CharField, F, Func, Value
from django.db.models.functions import Concat, Lower, Replace, Trim, Upper


def _normal(field: str) -> Func:
    text: Func = Lower(Trim(F(field)))
    for mark in (".", ",", "#"):
        text = Replace(text, Value(mark), Value(""))
    for _ in range(2):  # four spaces become one
        text = Replace(text, Value("  "), Value(" "))
    return text


def address_key() -> Func:
    return Concat(
        _normal("address_line1"), Value("|"), _normal("address_line2"), Value("|"),
        F("match_postal"), Value("|"), Upper("country"),
        output_field=CharField(),
    )  # fmt: skip
