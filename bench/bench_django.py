"""What the PostgreSQL benches share: a statement on the server (create or drop the bench's
database) and Django set up on that database, migrated, with production-like settings."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def server_database(url: str, sql: str) -> None:
    import psycopg

    server = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(sql)


def django_on(url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DATABASE_URL=url,
        DEBUG="false",  # with DEBUG on, Django also keeps every query's SQL
        SECRET_KEY="bench-only",
        STRIPE_SECRET_KEY="sk_test_bench",
        STRIPE_WEBHOOK_SECRET="whsec_bench",
        ALLOWED_HOSTS="localhost",
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
