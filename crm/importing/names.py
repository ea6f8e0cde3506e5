"""Names as people write them in a donor sheet: a couple in one first-name cell ('Luis & Ana',
'Luis and Ana'), a couple's title ('Mr. & Mrs.'), a suffix left on the last name ('Smith Jr.').
Each becomes the fields a Supporter keeps, so greetings and envelopes come out right
(crm.greetings): 'Luis and Ana Ramírez', 'Mr. and Mrs. Ramírez'."""

import re

from django.core.exceptions import ValidationError

# 'Luis & Ana', 'Luis&Ana', 'Luis and Ana', 'Luis y Ana' (a sheet kept in Spanish).
_COUPLE = re.compile(r"\s*&\s*|\s+(?:and|y)\s+", re.IGNORECASE)
# A couple's title also comes as 'Mr./Mrs.'.
_COUPLE_TITLE = re.compile(r"\s*(?:&|/|\+)\s*|\s+(?:and|y)\s+", re.IGNORECASE)
_SUFFIXES = ("jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "dds", "cpa")
_TRAILING_SUFFIX = re.compile(
    r"^(?P<last>.+?),?\s+(?P<suffix>(?:" + "|".join(_SUFFIXES) + r")\.?)$", re.IGNORECASE
)


def split_couple(first_name: str) -> tuple[str, str]:
    """'Luis & Ana' -> ('Luis', 'Ana'); one person's name -> (name, '')."""
    parts = _COUPLE.split(first_name)
    if len(parts) == 1:
        return first_name, ""
    if len(parts) > 2 or "," in first_name or not all(p.strip() for p in parts):
        raise ValidationError(
            f"'{first_name}' names more than two people, or only half of a couple; put one "
            "person's first name here and their partner's under Spouse First Name."
        )
    return parts[0].strip(), parts[1].strip()


def split_title(title: str) -> tuple[str, str]:
    """'Mr. & Mrs.' -> ('Mr.', 'Mrs.'); one title -> (title, '')."""
    parts = [p.strip() for p in _COUPLE_TITLE.split(title)]
    if len(parts) != 2 or not all(parts) or any(" " in p for p in parts):
        return title, ""
    return parts[0], parts[1]


def split_suffix(last_name: str) -> tuple[str, str]:
    """'Smith Jr.' and 'Smith, Jr.' -> ('Smith', 'Jr.'); other names are left whole."""
    found = _TRAILING_SUFFIX.match(last_name)
    if found is None:
        return last_name, ""
    return found.group("last"), found.group("suffix")


def complete_names(values: dict[str, object]) -> None:
    """One row's name fields, as parsed from their cells, made into the fields a Supporter
    keeps (in place). Raises ValidationError, saying which field, when the names cannot be
    read without guessing."""
    last = str(values.get("last_name") or "")
    if last and not values.get("suffix"):
        last, suffix = split_suffix(last)
        if suffix:
            values["last_name"], values["suffix"] = last, suffix

    first = str(values.get("first_name") or "")
    try:
        own, partner = split_couple(first) if first else ("", "")
    except ValidationError as exc:
        raise ValidationError({"first_name": exc.messages}) from None
    if partner:
        if values.get("partner_first_name"):
            raise ValidationError(
                {
                    "first_name": f"'{first}' names two people, and the row also gives a spouse "
                    f"('{values['partner_first_name']}'); keep one of the two."
                }
            )
        values["first_name"], values["partner_first_name"] = own, partner

    title = str(values.get("title") or "")
    has_partner = values.get("partner_first_name") or values.get("partner_last_name")
    if title and has_partner:
        # Without a partner named, 'Mr. & Mrs. John Smith' is a couple written the old way
        # and the title stays whole: the envelope prints it as given.
        own_title, partner_title = split_title(title)
        if partner_title:
            values["title"] = own_title
            values.setdefault("partner_title", partner_title)
