"""The README's backup and restore, on PostgreSQL: deploy/backup.sh's pg_dump of a database
with donors, gifts, a receipt and a refund, restored with pg_restore into a fresh database;
the app started on the copy shows the same totals and counts, with nothing left to migrate."""

import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.db.models import Sum

from crm.models import Supporter
from donations.acknowledgements.receipts import receipt_issue
from donations.models import Fund, Gift, Receipt
from donations.refunds import refund_apply
from donations.services import GiftEntry, gift_record
from tests.factories import SupporterFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
RESTORED = "donorcrm_restore_trial"
SETTINGS = "config.settings"

# Run in the restored copy by a fresh process, as the app would after a restore.
FIGURES = """
import json, django
django.setup()
from django.core.management import call_command
from django.db.models import Count, Sum
from crm.models import Supporter
from donations.models import Gift, Receipt
call_command("migrate", "--check", verbosity=0)
gifts = Gift.objects.aggregate(n=Count("id"), total=Sum("amount"))
print(json.dumps({
    "supporters": Supporter.objects.count(),
    "gifts": gifts["n"],
    "total": str(gifts["total"]),
    "receipts": Receipt.objects.count(),
    "refunded": str(Gift.objects.aggregate(r=Sum("refunds__amount"))["r"]),
}))
"""


def _url(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"


def test_a_pg_dump_backup_restores_into_a_fresh_database_with_the_same_totals(tmp_path):
    fund = Fund.objects.create(name="General", code="general", is_default=True)
    for n in range(20):
        donor = SupporterFactory(first_name=f"Donor{n}", email=f"donor{n}@example.org")
        gift = gift_record(
            entry=GiftEntry(
                supporter=donor, amount=Decimal(25 + n), received_on=date(2026, 3, 1 + n % 28),
                fund=fund, cheque_number=str(1000 + n),
            )
        )  # fmt: skip
        if n < 5:
            receipt_issue(gift=gift)
    refund_apply(
        gift=Gift.objects.order_by("pk").first(), amount=Decimal("10.00"),
        refunded_on=date(2026, 4, 2), reason="Entered twice",
    )  # fmt: skip
    expected = {
        "supporters": Supporter.objects.count(),
        "gifts": Gift.objects.count(),
        "total": str(Gift.objects.aggregate(t=Sum("amount"))["t"]),
        "receipts": Receipt.objects.count(),
        "refunded": "10.00",
    }

    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": _url(connection.settings_dict["NAME"]),
        "BACKUP_DIR": str(tmp_path / "backups"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "STORAGE_BUCKET": "",
    }
    (tmp_path / "media").mkdir(exist_ok=True)  # receipts issued above are in it
    subprocess.run(["sh", "deploy/backup.sh"], cwd=ROOT, env=env, check=True)  # noqa: S607
    [dump] = (tmp_path / "backups").glob("db-*.dump")

    with psycopg.connect(_url("postgres"), autocommit=True) as server:
        server.execute(f"DROP DATABASE IF EXISTS {RESTORED}")
        server.execute(f"CREATE DATABASE {RESTORED}")
    try:
        subprocess.run(  # noqa: S603
            ["pg_restore", "--no-owner", "--no-privileges", "--dbname", _url(RESTORED), str(dump)],  # noqa: S607
            check=True,
        )
        done = subprocess.run(  # noqa: S603 - our own interpreter
            [sys.executable, "-c", FIGURES], cwd=ROOT, capture_output=True, text=True, check=True,
            env={**env, "DATABASE_URL": _url(RESTORED), "DJANGO_SETTINGS_MODULE": SETTINGS},
        )  # fmt: skip
    finally:
        with psycopg.connect(_url("postgres"), autocommit=True) as server:
            server.execute(f"DROP DATABASE IF EXISTS {RESTORED} WITH (FORCE)")
    assert json.loads(done.stdout.strip().splitlines()[-1]) == expected
