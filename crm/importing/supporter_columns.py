"""The columns of a supporter import: the header names other donor systems use for each
supporter field, and the parser of each cell (crm.importing.cells for the shared ones)."""

from collections.abc import Callable

from django.core.exceptions import ValidationError

from crm.importing import cells, names
from crm.importing.headers import HeaderMap
from crm.models import ConsentEvent, SourceId, Supporter

# Canonical field -> header spellings seen in exports from other donor systems
# (Little Green Light, Bloomerang, CiviCRM, Salesforce NPSP, Mailchimp) and hand-made sheets.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "kind": ("type", "kind", "constituent type", "record type", "contact type"),
    "title": ("title", "prefix", "honorific", "name prefix"),
    "first_name": ("first name", "first", "firstname", "given name", "fname", "first_name"),
    "middle_name": ("middle name", "middle", "middle initial", "middlename", "mi"),
    "last_name": ("last name", "last", "lastname", "surname", "family name", "lname", "last_name"),
    "suffix": ("suffix", "name suffix", "jr/sr"),
    "preferred_name": ("preferred name", "nickname", "nick name", "known as", "goes by"),
    "partner_title": ("spouse title", "partner title", "spouse prefix"),
    "partner_first_name": ("spouse first name", "partner first name", "spouse first"),
    "partner_last_name": ("spouse last name", "partner last name", "spouse last"),
    "organisation_name": (
        "organization",
        "organisation",
        "organization name",
        "organisation name",
        "company",
        "company name",
        "employer",
        "org name",
    ),
    "salutation": ("salutation", "informal salutation", "greeting", "dear"),
    "formal_salutation": ("formal salutation", "formal greeting"),
    "addressee": ("addressee", "envelope name", "mailing name", "formal addressee"),
    "email": ("email", "e-mail", "email address", "e-mail address", "primary email", "email 1"),
    "phone": (
        "phone",
        "phone number",
        "telephone",
        "telephone number",
        "primary phone",
        "mobile",
        "mobile phone",
        "cell",
        "cell phone",
        "phone 1",
    ),
    # A second number ('Phone2'); headers.HeaderMap reads 'Phone 2' as this field.
    "phone_2": ("phone 2", "second phone", "other phone", "alternate phone", "alt phone"),
    "address_line1": (
        "address 1",
        "address1",
        "address line 1",
        "address",
        "street",
        "street address",
        "home address",
        "street 1",
        "mailing street",
        "primary address",
    ),
    "address_line2": ("address 2", "address2", "address line 2", "street 2", "apt", "suite"),
    "city": ("city", "town", "locality", "city/town"),
    "region": (
        "state",
        "state/province",
        "province/state",
        "province",
        "region",
        "st",
        "state/region",
        "province/territory",
    ),
    "postal_code": (
        "zip",
        "zip code",
        "zipcode",
        "postal code",
        "postcode",
        "zip/postal code",
        "mailing zip",
        "postal/zip code",
        "postal/zip",
        "zip/postal",
        "postal",
        "home zip code",
    ),
    "country": ("country", "country code"),
    # The person's id in the system the file comes from (EveryAction's VANID, Little Green
    # Light's Constituent ID, a Donor_ID): kept to match the next import from it. Not 'ID' alone
    # or 'Supporter ID': the first could be anything, the second is this CRM's own export.
    "source_id": (
        "source id",
        "donor id",
        "vanid",
        "van id",
        "constituent id",
        "contact id",
        "account id",
        "donor number",
        "constituent number",
        "record id",
        "external id",
        "legacy id",
    ),
    "preferred_language": ("language", "preferred language", "lang"),
    "tags": ("tags", "tag", "groups", "categories", "lists"),
    "source": ("source", "lead source", "origin", "how found"),
    "notes": ("notes", "note", "comments", "comment"),
    "deceased": ("deceased", "is deceased"),
    "email_opt_in": ("email opt-in", "email opt in", "opt-in", "opt in", "subscribed", "email ok"),
    "consent_source": ("consent source", "opt-in source", "consent", "opt in source"),
    "do_not_email": ("do not email", "do not e-mail", "no email", "email opt-out"),
    "do_not_mail": ("do not mail", "no mail", "do not send mail"),
    "do_not_contact": ("do not contact", "do not solicit", "no contact"),
    # Which system that id is from, when the file says (crm.importing.sources).
    "source_system": ("source system",),
}
COLUMN_LABELS: dict[str, str] = {
    field: aliases[0].title() if aliases[0] != "type" else "Type"
    for field, aliases in HEADER_ALIASES.items()
}
COLUMN_LABELS.update(
    {
        "email": "Email",
        "address_line1": "Address 1",
        "postal_code": "Zip",
        "source_id": "Source ID",
        "phone_2": "Other Phone",
    }
)

SUPPORTER_HEADERS = HeaderMap(HEADER_ALIASES)
_OPT_IN = {"yes", "y", "true", "1", "opted in", "opted_in", "subscribed", "si", "sí"}
_OPT_OUT = {"no", "n", "false", "0", "opted out", "opted_out", "unsubscribed"}


def parse_opt_in(text: str) -> str:
    lowered = text.lower()
    if lowered in _OPT_IN:
        return "opted_in"
    if lowered in _OPT_OUT:
        return "opted_out"
    if lowered in ("", "unknown", "not asked"):
        return ""
    raise ValidationError(f"'{text}' is not yes or no.")


def parse_kind(text: str) -> str:
    lowered = text.lower()
    if lowered in ("", "person", "individual", "household", "persona"):
        return "person"
    if lowered in ("organisation", "organization", "org", "company", "business", "foundation"):
        return "organisation"
    raise ValidationError(f"'{text}' is not a type; use Person or Organization.")


PARSERS: dict[str, Callable[[str], object]] = {
    "kind": parse_kind,
    "email": cells.parse_email,
    "preferred_language": cells.parse_language,
    "country": cells.parse_country,
    "email_opt_in": parse_opt_in,
    "tags": cells.parse_tags,
    "phone": cells.parse_phone,
    "phone_2": cells.parse_phone,
    "deceased": lambda t: cells.parse_bool(t, "Deceased"),
    "do_not_email": lambda t: cells.parse_bool(t, "Do not email"),
    "do_not_mail": lambda t: cells.parse_bool(t, "Do not mail"),
    "do_not_contact": lambda t: cells.parse_bool(t, "Do not contact"),
}


def complete_row(values: dict[str, object], errors: dict[str, list[str]]) -> None:
    """What a row means once each cell is read: a couple in one name cell, a couple's title,
    a suffix on the last name (crm.importing.names). Problems go to `errors` by field, as
    cells.normalise_address does; the caller marks the row invalid when there are any."""
    try:
        names.complete_names(values)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)


# Consent source is kept on each consent event the row records, not on the supporter.
MAX_LENGTHS = {
    **cells.text_limits(Supporter),
    "consent_source": ConsentEvent._meta.get_field("source").max_length,
    "source_id": SourceId._meta.get_field("value").max_length,
    "source_system": SourceId._meta.get_field("system").max_length,
}
