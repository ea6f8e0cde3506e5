"""core.bulk.insert_history_copies: an import's 'created' history rows are copied by the
database from the records just written, and read as the history of a record saved one at a
time would: every tracked value, who, when and why."""

import datetime

import pytest
from django.db import connection, transaction
from django.utils import timezone

from core import bulk
from crm.importing.supporters import supporters_import
from crm.models import Supporter

pytestmark = pytest.mark.django_db


def _tracked(history_row) -> dict:
    names = [f.attname for f in Supporter.history.model._meta.concrete_fields]
    return {n: getattr(history_row, n) for n in names if not n.startswith("history_")}


def _stored(supporter: Supporter) -> dict:
    names = [f.attname for f in Supporter.history.model._meta.concrete_fields]
    return {n: getattr(supporter, n) for n in names if not n.startswith("history_")}


def test_an_imported_supporters_history_row_holds_its_values_who_when_and_why(staff):
    long_name = "spring-gala-" + "x" * 120 + ".csv"
    report = supporters_import(
        headers=["First Name", "Last Name", "Email", "City", "State", "Zip", "Phone"],
        rows=[
            ["Ana", "Ruiz", "ana@example.org", "Queens", "NY", "11368", "212 555 0100"],
            ["Ben", "Okafor", "", "Chicago", "IL", "60622", ""],
        ],
        dry_run=False,
        actor=staff,
        file_name=long_name,
    )
    assert report.ok and report.written
    for supporter in Supporter.objects.order_by("pk"):
        (row,) = supporter.history.all()
        assert _tracked(row) == _stored(supporter)
        assert row.history_type == "+"
        assert row.history_user_id == staff.pk
        assert row.history_change_reason == f"Imported from {long_name}"[:100]
        assert abs(row.history_date - supporter.created_at) < datetime.timedelta(seconds=1)
    ana = Supporter.objects.get(email="ana@example.org")
    assert (ana.city, ana.match_postal) == ("Queens", "11368")


def test_ids_with_gaps_are_paired_as_given():
    """On PostgreSQL another transaction may take sequence values between ours: the pairs
    then have gaps, and each record still gets the history id it was given."""
    now = timezone.now()
    with transaction.atomic():
        pks = bulk.reserve_ids(Supporter, 6)
        chosen = [pks[0], pks[2], pks[5]]
        bulk.insert_rows(
            Supporter,
            (
                {
                    "id": pk,
                    "first_name": f"Ana {i}",
                    "last_name": "Ruiz",
                    "email": f"ana{i}@example.org",
                    "created_at": now,
                    "updated_at": now,
                }
                for i, pk in enumerate(chosen)
            ),
        )
        history_ids = bulk.reserve_ids(Supporter.history.model, 9)
        pairs = list(zip(chosen, [history_ids[8], history_ids[1], history_ids[4]], strict=True))
        written = bulk.insert_history_copies(
            Supporter, pairs, {"history_date": now, "history_type": "+"}
        )
    assert written == 3
    for pk, history_id in pairs:
        row = Supporter.history.get(history_id=history_id)
        supporter = Supporter.objects.get(pk=pk)
        assert _tracked(row) == _stored(supporter)
        assert (row.history_user_id, row.history_change_reason) == (None, None)
    assert Supporter.history.count() == 3


def test_the_history_date_and_type_must_be_given():
    with pytest.raises(ValueError, match="history_type"):
        bulk.insert_history_copies(Supporter, [(1, 1)], {"history_date": timezone.now()})


def test_sqlite_s_page_cache_is_back_to_its_size_after_an_import(staff):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's cache is the server's")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        with bulk.sqlite_cache_enlarged(kib=8192):
            cursor.execute("PRAGMA cache_size")
            assert cursor.fetchone()[0] == -8192
        report = supporters_import(
            headers=["First Name", "Last Name"], rows=[["Ana", "Ruiz"]], dry_run=False
        )
        assert report.written
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone()[0] == before
