"""Which system an import file comes from, so the ids in it (VANID, Donor_ID, Transaction ID)
are kept with their system and found again on the next import of that system's file.

Staff name the system on the upload form; left blank, it is guessed from the headers."""

from collections.abc import Sequence

from crm.importing.headers import header_key

PREVIOUS_CRM = "Previous CRM"
# The systems offered on the upload form (staff may type another).
KNOWN_SYSTEMS = (
    "EveryAction",
    "CanadaHelps",
    "Bloomerang",
    "Little Green Light",
    "DonorPerfect",
    "Salesforce",
    "CiviCRM",
    PREVIOUS_CRM,
)
# A header only one system writes -> that system. Checked in order; the first found wins.
_TELLTALE_HEADERS = (
    ("vanid", "EveryAction"),
    ("van id", "EveryAction"),
    ("donor email address", "CanadaHelps"),
    ("donor postal/zip code", "CanadaHelps"),
    ("donor province/state", "CanadaHelps"),
    ("account number", "Bloomerang"),
    ("lgl constituent id", "Little Green Light"),
    ("donor id", PREVIOUS_CRM),
    ("constituent id", PREVIOUS_CRM),
)


def system_guess(headers: Sequence[object]) -> tuple[str, str]:
    """(system, the header it was told by), or ("", "") when no header says."""
    keys = {header_key(h): str(h) for h in headers if h}
    for key, system in _TELLTALE_HEADERS:
        if key in keys:
            return system, keys[key]
    return "", ""


def system_for_file(chosen: str, headers: Sequence[object]) -> tuple[str, str]:
    """The system the file's ids belong to, and a sentence for the preview saying so."""
    chosen = " ".join((chosen or "").split())[:60]
    if chosen:
        return chosen, f"Ids in this file are kept as {chosen} ids."
    system, header = system_guess(headers)
    if system:
        return system, (
            f"Ids in this file are kept as {system} ids (guessed from the column '{header}'; "
            "name the system on the upload form if that is wrong)."
        )
    return PREVIOUS_CRM, f"Ids in this file, if any, are kept as {PREVIOUS_CRM} ids."
