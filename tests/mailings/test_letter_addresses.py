"""The address block of a printed letter laid out by the destination's rules: a letter to
Montréal as Canada Post expects, a domestic one with no country line."""

import io
import re
import subprocess

import pytest
from django.core.management import call_command

from crm.models import Tag
from mailings.models import Mailing
from tests.factories import SupporterFactory


@pytest.mark.django_db(transaction=True)
def test_a_printed_letter_to_montreal_reads_as_canada_post_expects(tmp_path):
    call_command("seed_demo", supporters=0, seed=1, stdout=io.StringIO())
    tag = Tag.objects.create(name="Print abroad")
    montreal = SupporterFactory(
        first_name="Élise", last_name="Tremblay", address_line1="123 Rue Saint-Denis",
        city="Montréal", region="QC", postal_code="H2X 1Y4", country="CA",
    )  # fmt: skip
    queens = SupporterFactory(
        first_name="Ana", last_name="Ruiz", address_line1="3 Elm Street", city="Corona",
        region="NY", postal_code="11368", country="US",
    )  # fmt: skip
    for person in (montreal, queens):
        person.tags.add(tag)
    mailing = Mailing.objects.get(slug="demo-sanctuary")
    mailing.audience_tags.set([tag])
    out = tmp_path / "letters.pdf"
    call_command(
        "render_letters", "demo-sanctuary", "--out", str(out), "--workers", "1",
        stdout=io.StringIO(),
    )  # fmt: skip

    text = pdftotext(out, "-raw")
    lines = [line.strip() for line in text.splitlines()]
    at = lines.index("123 Rue Saint-Denis")
    assert lines[at + 1 : at + 3] == ["MONTRÉAL QC H2X 1Y4", "CANADA"]
    at = lines.index("3 Elm Street")
    assert lines[at + 1] == "CORONA, NY 11368"
    assert "UNITED STATES" not in text, "a domestic letter has no country line"
    # Canada Post's two spaces between province and postal code survive onto the page: in the
    # window's address block the gap before H2X is twice the one before QC.
    words = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>([^<]+)<',
                       pdftotext(out, "-bbox"))  # fmt: skip
    at = next(i for i, w in enumerate(words) if w[3] == "MONTRÉAL")
    city, province, code = words[at : at + 3]
    assert (province[3], code[3]) == ("QC", "H2X")
    one_space = float(province[0]) - float(city[2])
    assert float(code[0]) - float(province[2]) == pytest.approx(2 * one_space, rel=0.1)


def pdftotext(path, mode: str) -> str:
    return subprocess.run(  # noqa: S603 - our own file
        ["/usr/bin/pdftotext", mode, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
