"""core.bulk.values_in: an import's many lookups in one parameter on SQLite, finding exactly
what a plain `__in` list finds (quotes, accents, and nothing for an empty set)."""

import pytest
from django.db import connection

from core.bulk import values_in
from crm.models import Supporter

pytestmark = pytest.mark.django_db


def test_it_finds_what_a_plain_list_finds():
    for email in ("o'neil@example.org", "josé@example.org", 'dq"uote@example.org', "ana@x.org"):
        Supporter.objects.create(first_name="A", last_name="B", email=email)
    wanted = {"o'neil@example.org", "josé@example.org", 'dq"uote@example.org', "nobody@x.org"}
    found = set(
        Supporter.objects.filter(email__in=values_in(wanted)).values_list("email", flat=True)
    )
    plain = set(Supporter.objects.filter(email__in=wanted).values_list("email", flat=True))
    assert found == plain == wanted - {"nobody@x.org"}
    assert not Supporter.objects.filter(email__in=values_in([])).exists()


def test_sqlite_still_answers_from_the_index():
    if connection.vendor != "sqlite":
        pytest.skip("other databases get the plain list")
    query = Supporter.objects.filter(email__in=values_in(["a@x.org"])).values("pk")
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "USING COVERING INDEX supporter_email" in plan or "USING INDEX" in plan, plan
