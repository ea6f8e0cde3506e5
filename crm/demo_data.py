"""Deterministic, realistic demo supporters: English and Spanish names, US addresses,
couples, organisations and mixed consent. The same seed always gives the same rows."""

import random
from collections.abc import Iterator

HEADERS = [
    "Type",
    "Title",
    "First Name",
    "Last Name",
    "Spouse First Name",
    "Spouse Last Name",
    "Organization",
    "Email",
    "Phone",
    "Address 1",
    "Address 2",
    "City",
    "State",
    "Zip",
    "Language",
    "Tags",
    "Source",
    "Email Opt-In",
    "Consent Source",
    "Do Not Mail",
]
ENGLISH_FIRST = [
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Susan",
    "Richard",
    "Sarah",
    "Thomas",
    "Karen",
    "Daniel",
    "Nancy",
    "Matthew",
    "Lisa",
    "Anthony",
    "Margaret",
    "Mark",
    "Sandra",
    "Steven",
    "Ashley",
    "Paul",
    "Emily",
    "Andrew",
    "Rachel",
    "Joshua",
    "Hannah",
    "Kevin",
    "Grace",
    "Brian",
    "Olivia",
]
ENGLISH_LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Jackson",
    "Martin",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Hall",
    "Young",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Adams",
    "Nelson",
    "Hill",
    "Campbell",
    "Mitchell",
    "Roberts",
    "Carter",
    "Phillips",
    "Evans",
    "Okafor",
    "Nguyen",
    "Kim",
    "Cohen",
    "O'Brien",
    "Patel",
]
# Gendered titles must match the name ("Sra. Carlos" is a typo a demo should not show).
WOMEN = frozenset({
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Susan", "Sarah", "Karen", "Nancy",
    "Lisa", "Margaret", "Sandra", "Ashley", "Emily", "Rachel", "Hannah", "Grace", "Olivia",
    "María", "Ana", "Carmen", "Rosa", "Lucía", "Sofía", "Isabel", "Elena", "Guadalupe",
    "Valentina", "Camila", "Ximena", "Marisol",
})  # fmt: skip
_COUNTERPART = {"Ms.": "Mr.", "Mr.": "Ms.", "Sra.": "Sr.", "Sr.": "Sra."}


def _title_for(first: str, title: str) -> str:
    feminine = title in ("Ms.", "Sra.")
    if title in _COUNTERPART and feminine != (first in WOMEN):
        return _COUNTERPART[title]
    return title


SPANISH_FIRST = [
    "María",
    "José",
    "Ana",
    "Luis",
    "Carmen",
    "Juan",
    "Rosa",
    "Carlos",
    "Lucía",
    "Miguel",
    "Sofía",
    "Jorge",
    "Isabel",
    "Pedro",
    "Elena",
    "Alejandro",
    "Guadalupe",
    "Francisco",
    "Valentina",
    "Diego",
    "Camila",
    "Javier",
    "Ximena",
    "Ricardo",
    "Marisol",
    "Andrés",
]
SPANISH_LAST = [
    "García",
    "Rodríguez",
    "Martínez",
    "Hernández",
    "López",
    "González",
    "Pérez",
    "Sánchez",
    "Ramírez",
    "Torres",
    "Flores",
    "Rivera",
    "Gómez",
    "Díaz",
    "Reyes",
    "Morales",
    "Cruz",
    "Ortiz",
    "Gutiérrez",
    "Chávez",
    "Ramos",
    "Ruiz",
    "Mendoza",
    "Vargas",
    "Castillo",
    "Jiménez",
    "Moreno",
    "Romero",
    "Herrera",
    "Medina",
    "Aguilar",
    "Vega",
    "Castro",
]
ORGANISATIONS = [
    "Hudson Valley Community Foundation",
    "Bronx Tenants United",
    "St. Brigid's Parish",
    "Liberty Bar Association",
    "Casa de la Esperanza",
    "Queens Workers Center",
    "Northside Family Fund",
    "Brooklyn Legal Aid Partners",
    "Harlem Teachers Union Local 9",
    "The Rivera Family Trust",
    "Empire State Immigrant Alliance",
    "Greenpoint Food Co-op",
    "Sunset Park Merchants Association",
    "Fundación Puentes",
    "Long Island Faith Coalition",
    "Westchester Giving Circle",
    "Catskill Credit Union",
    "Jackson Heights Lions Club",
]
# (city, state, ZIP prefix and range) in the places a New York legal nonprofit hears from.
PLACES = [
    ("New York", "NY", 10001, 10040),
    ("Bronx", "NY", 10451, 10475),
    ("Brooklyn", "NY", 11201, 11239),
    ("Jackson Heights", "NY", 11372, 11372),
    ("Corona", "NY", 11368, 11368),
    ("Yonkers", "NY", 10701, 10710),
    ("White Plains", "NY", 10601, 10607),
    ("Hempstead", "NY", 11550, 11551),
    ("Newark", "NJ", 7102, 7114),
    ("Jersey City", "NJ", 7302, 7311),
    ("Elizabeth", "NJ", 7201, 7208),
    ("Paterson", "NJ", 7501, 7514),
    ("Stamford", "CT", 6901, 6907),
    ("Bridgeport", "CT", 6604, 6610),
    ("Philadelphia", "PA", 19102, 19154),
    ("Boston", "MA", 2108, 2136),
    ("Chicago", "IL", 60601, 60660),
    ("Los Angeles", "CA", 90001, 90089),
    ("Houston", "TX", 77001, 77099),
    ("Miami", "FL", 33101, 33199),
]
STREETS = [
    "Main St",
    "Broadway",
    "Park Ave",
    "Oak St",
    "Maple Ave",
    "Elm St",
    "Washington St",
    "Roosevelt Ave",
    "Grand Concourse",
    "Atlantic Ave",
    "Calle Sol",
    "Jefferson Ave",
    "Riverside Dr",
    "Lexington Ave",
    "Fulton St",
    "Bergen St",
    "Linden Blvd",
    "Junction Blvd",
]
TAGS = [
    "Monthly donor",
    "Volunteer",
    "Gala 2025",
    "Board prospect",
    "Pro bono attorney",
    "Hotline caller family",
    "Newsletter",
    "Major donor prospect",
]
SOURCES = [
    "Website",
    "Spring gala",
    "Know-your-rights clinic",
    "Referral",
    "Legacy database",
    "Law school event",
    "Faith partner",
]


def demo_rows(count: int, seed: int) -> Iterator[list[str]]:
    """`count` rows in HEADERS order; row i is the same for a given seed whatever `count` is.

    Rows without an email are matched by name and postal code, so those keys stay unique
    (two such rows in one file fold into one supporter, crm.importing.folding).
    """
    seen: set[tuple[str, str, str, str]] = set()
    made: list[list[str]] = []
    for index in range(count):
        rng = random.Random(f"{seed}-{index}")
        row = _row(rng, index)
        while not row[7] and (row[2], row[3], row[6], row[13]) in seen:
            row = _row(rng, index)
        if index % 50 == 49 and made[index - 25][0] == "Person" and made[index - 25][7]:
            row = _second_record_of(made[index - 25], index)
        seen.add((row[2], row[3], row[6], row[13]))
        made.append(row)
        yield row


def _second_record_of(row: list[str], index: int) -> list[str]:
    """The same person entered again from another list with a personal email: the kind of
    duplicate the finder is for."""
    twin = list(row)
    twin[7] = f"{_slug(row[2])}{_slug(row[3])}{index}@gmail.com"
    twin[15], twin[16] = "", "Event sign-in sheet"
    return twin


def _row(rng: random.Random, index: int) -> list[str]:
    city, state, zip_low, zip_high = rng.choice(PLACES)
    postal = f"{rng.randint(zip_low, zip_high):05d}"
    address = f"{rng.randint(1, 2999)} {rng.choice(STREETS)}"
    unit = f"Apt {rng.randint(1, 30)}{rng.choice('ABCDEF')}" if rng.random() < 0.3 else ""
    roll = rng.random()
    spanish = rng.random() < 0.45
    first_pool, last_pool = (
        (SPANISH_FIRST, SPANISH_LAST) if spanish else (ENGLISH_FIRST, ENGLISH_LAST)
    )
    kind, title, first, last, partner_first, partner_last, org = ("Person", "", "", "", "", "", "")
    if roll < 0.06:
        kind = "Organization"
        org = rng.choice(ORGANISATIONS)
        if index >= len(ORGANISATIONS):
            org = f"{org} ({city} {index})" if index > 400 else f"{org} ({city})"
        email = f"giving{index}@{_slug(org)[:20]}.org"
    else:
        first, last = rng.choice(first_pool), rng.choice(last_pool)
        if rng.random() < 0.25:
            title = rng.choice(
                ["Ms.", "Mr.", "Dr.", "Mx."] if not spanish else ["Sra.", "Sr.", "Dr."]
            )
            title = _title_for(first, title)
        if roll > 0.82:  # a couple; a third of them keep different surnames
            partner_first = rng.choice([name for name in first_pool if name != first])
            partner_last = rng.choice(last_pool) if rng.random() < 0.35 else ""
        domain = rng.choice(["example.com", "example.org", "example.net"])
        email = f"{_slug(first)}.{_slug(last)}{index}@{domain}"
    if rng.random() < 0.12:
        email = ""  # no email on file: reached by post only
    opt_in = rng.choices(["Yes", "No", ""], weights=[55, 10, 35])[0] if email else ""
    consent_source = (
        rng.choice(["Website sign-up form", "Gala RSVP card", "Clinic sign-in sheet"])
        if opt_in == "Yes"
        else ""
    )
    tags = "; ".join(sorted(rng.sample(TAGS, k=rng.choice([0, 0, 1, 1, 2]))))
    language = "Spanish" if spanish and rng.random() < 0.7 else "English"
    return [
        kind,
        title,
        first,
        last,
        partner_first,
        partner_last,
        org,
        email,
        f"({rng.randint(201, 989)}) 555-{rng.randint(100, 199):04d}" if rng.random() < 0.6 else "",
        address,
        unit,
        city,
        state,
        postal,
        language,
        tags,
        rng.choice(SOURCES),
        opt_in,
        consent_source,
        "Yes" if rng.random() < 0.04 else "",
    ]


def _slug(text: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())
