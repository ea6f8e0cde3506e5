"""Greeting engine: how to greet and address a supporter when staff leave it blank."""

import re
from dataclasses import dataclass

# A first name that already names two people ('Luis & Ana', typed before the partner fields
# were used): no title fits in front of it.
_TWO_PEOPLE = re.compile(r"&|\s(and|y)\s", re.IGNORECASE)


@dataclass(frozen=True)
class Names:
    is_organisation: bool = False
    title: str = ""
    first_name: str = ""
    last_name: str = ""
    middle_name: str = ""
    suffix: str = ""
    preferred_name: str = ""
    partner_title: str = ""
    partner_first_name: str = ""
    partner_last_name: str = ""
    organisation_name: str = ""


def _clean(text: str) -> str:
    return " ".join((text or "").split())


def _join(*parts: str) -> str:
    return " ".join(p for p in (_clean(x) for x in parts) if p)


def _is_org(n: Names) -> bool:
    return n.is_organisation and bool(_clean(n.organisation_name))


def _partner_last(n: Names) -> str:
    return _clean(n.partner_last_name) or _clean(n.last_name)


def _has_partner(n: Names) -> bool:
    return bool(_clean(n.partner_first_name) or _clean(n.partner_last_name))


def _middle_initial(n: Names) -> str:
    """'Andrew' -> 'A.': an envelope's middle name, as Emily Post and USPS samples write it."""
    middle = _clean(n.middle_name)
    return f"{middle[0].upper()}." if middle else ""


def display_name(n: Names, *, middle: str = "") -> str:
    """The person or couple by name, with their suffix ('John Smith Jr.'); `middle` is put
    between first and last name when given (the envelope's middle initial)."""
    if _is_org(n):
        return _clean(n.organisation_name)
    name = _join(n.first_name, middle, n.last_name, n.suffix)
    if _has_partner(n):
        if _clean(n.partner_last_name) and _clean(n.partner_last_name) != _clean(n.last_name):
            return f"{name} and {_join(n.partner_first_name, n.partner_last_name)}"
        both = f"{_join(n.first_name, middle)} and {_clean(n.partner_first_name)}"
        return _join(both, n.last_name, n.suffix)
    return name or _clean(n.organisation_name)


def informal_salutation(n: Names) -> str:
    if _is_org(n):
        return "Friends"
    first = _clean(n.preferred_name) or _clean(n.first_name)
    if not first:
        return formal_salutation(n)
    if _clean(n.partner_first_name):
        return f"{first} and {_clean(n.partner_first_name)}"
    return first


def formal_salutation(n: Names) -> str:
    if _is_org(n):
        return "Friends"
    if not (_clean(n.first_name) or _clean(n.last_name)):
        return "Friend"
    own = (
        _join(n.title, n.last_name)
        if _clean(n.title) and _clean(n.last_name)
        else _join(n.first_name, n.last_name)
    )
    if not _has_partner(n):
        return own
    partner_last = _partner_last(n)
    if _clean(n.title) and _clean(n.partner_title) and partner_last == _clean(n.last_name):
        return f"{_clean(n.title)} and {_clean(n.partner_title)} {partner_last}"
    partner = (
        _join(n.partner_title, partner_last)
        if _clean(n.partner_title)
        else _join(n.partner_first_name, partner_last)
    )
    return f"{own} and {partner}"


def addressee(n: Names) -> str:
    if _is_org(n):
        return _clean(n.organisation_name)
    if not _clean(n.first_name):
        return _join(n.title, n.last_name, n.suffix) or "Friend"
    if _has_partner(n):
        return display_name(n, middle=_middle_initial(n))
    if _TWO_PEOPLE.search(n.first_name):  # never 'Mr. & Mrs. Luis & Ana Ramírez'
        return _join(n.first_name, n.last_name, n.suffix)
    return _join(n.title, n.first_name, _middle_initial(n), n.last_name, n.suffix)


# Spanish greetings agree with the reader: "Estimado Ricardo", "Estimada María", "Estimados
# Carlos y Diego". Only a title says which; without one the letter keeps "Estimado/a".
_FEMININE_TITLES = {"sra", "srta", "dra", "doña", "mrs", "ms", "miss", "hna", "sister"}
_MASCULINE_TITLES = {"sr", "don", "mr", "padre", "fr", "hno", "brother"}


def spanish_dear(n: Names) -> str:
    if _is_org(n):
        return "Estimado/a"

    def gender(title: str) -> str:
        word = _clean(title).lower().rstrip(".")
        return "f" if word in _FEMININE_TITLES else "m" if word in _MASCULINE_TITLES else ""

    if _clean(n.partner_first_name):
        both_women = gender(n.title) == gender(n.partner_title) == "f"
        return "Estimadas" if both_women else "Estimados"
    return {"f": "Estimada", "m": "Estimado"}.get(gender(n.title), "Estimado/a")


def in_language(names: str, language: str) -> str:
    """The engine joins couples with 'and'; Spanish says 'y'."""
    return names.replace(" and ", " y ") if language == "es" else names


def greeting_line(n: Names, salutation: str, language: str) -> str:
    """The opening line of a donor email or document: 'Dear Ana and Luis,' or, in Spanish,
    'Estimados Ana y Luis:'. `salutation` is the record's own or the engine's."""
    if language != "es":
        return f"Dear {salutation},"
    if salutation in ("Friend", "Friends"):  # the engine's word for no name, or a group
        return "Estimados amigos:" if salutation == "Friends" else "Estimado/a amigo/a:"
    return f"{spanish_dear(n)} {in_language(salutation, language)}:"


# --- Households: one letter greets every member (crm.models.households) -------------------


def _and_list(names: list[str]) -> str:
    """'Ben', 'Ben and Ada', 'Ben, Ada and Chi'."""
    names = [n for n in (_clean(x) for x in names) if n]
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _simple_person(n: Names) -> bool:
    return not _is_org(n) and not _has_partner(n) and bool(_clean(n.first_name))


def _surnames(members: list[Names]) -> list[str]:
    seen: list[str] = []
    for n in members:
        last = _clean(n.organisation_name) if _is_org(n) else _clean(n.last_name)
        if last and last not in seen:
            seen.append(last)
    return seen


def household_name(members: list[Names], language: str = "en") -> str:
    """'The Okafor Family'; 'The Okafor and Diaz Family' when surnames differ; in Spanish
    'Familia Okafor', 'Familia Okafor y Diaz'."""
    surnames = _surnames(members)
    if language == "es":
        return in_language(f"Familia {_and_list(surnames)}", language) if surnames else "Familia"
    return f"The {_and_list(surnames)} Family" if surnames else "Household"


def household_greeting(salutations: list[str]) -> str:
    """The members' own greetings joined: 'Ben' and 'Ada' -> 'Ben and Ada'."""
    return _and_list(salutations) or "Friends"


def household_envelope(members: list[Names], addressees: list[str]) -> str:
    """'Ben and Ada Okafor' when every member is one person with the one surname; otherwise
    each member's own envelope name joined: 'Ben Okafor and Ada Diaz'."""
    surnames = _surnames(members)
    if members and len(surnames) == 1 and all(_simple_person(n) for n in members):
        first = [_clean(n.first_name) for n in members]
        return f"{_and_list(first)} {surnames[0]}"
    return _and_list(addressees) or "Friends"


def household_dear(members: list[Names], language: str) -> str:
    """'Dear'; in Spanish 'Estimadas' when every member is titled as a woman, else 'Estimados'."""
    if language != "es":
        return "Dear"
    feminine = all(
        _clean(n.title).lower().rstrip(".") in _FEMININE_TITLES and not _has_partner(n)
        for n in members
    )
    return "Estimadas" if members and feminine else "Estimados"
