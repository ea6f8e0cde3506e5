"""The Spanish catalogue: every message translated, and the compiled .mo (kept in the
repository, so no gettext tools are needed to run the site) matching the .po it came from.
After editing the .po: `.venv/bin/python manage.py compilemessages --ignore=.venv`."""

import re
from pathlib import Path

import polib
from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)\w")


def test_every_message_is_translated_with_the_same_placeholders():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    assert not po.untranslated_entries(), [e.msgid for e in po.untranslated_entries()]
    assert not po.fuzzy_entries(), [e.msgid for e in po.fuzzy_entries()]
    for entry in po.translated_entries():
        expected = sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        # A plural entry has one translation per Spanish plural form instead of msgstr.
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for translation in translations:
            assert sorted(PLACEHOLDER.findall(translation)) == expected, entry.msgid


def test_the_compiled_catalogue_matches_the_source():
    po = {e.msgid: e.msgstr for e in polib.pofile(str(CATALOGUE / "django.po"))}
    mo = {e.msgid: e.msgstr for e in polib.mofile(str(CATALOGUE / "django.mo"))}
    assert mo == po, "run manage.py compilemessages and commit locale/es/LC_MESSAGES/django.mo"
