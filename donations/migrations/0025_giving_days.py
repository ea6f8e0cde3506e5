"""The money received per day (GivingDay), kept equal to the gifts by database triggers, so
every way of writing a gift keeps it (save, bulk insert, COPY, queryset update, delete).
A day's figures are the sum of its rows.

The statuses are RECEIVED's and COUNTED's as of this migration (donations.summary): a change there needs a
migration that replaces these triggers. PostgreSQL sums each statement's rows at once
(statement triggers over transition tables: a COPY of a million gifts adds one row per day)
and adds them as new rows, which no other transaction waits for; donations.giving_days folds
a day's rows into one. SQLite (row triggers only, one writer at a time) keeps one row a day."""

from django.db import migrations, models

RECEIVED = "('succeeded', 'partially_refunded', 'disputed', 'refunded')"
COUNTED = "('succeeded', 'partially_refunded', 'disputed')"  # of those, donations.summary.COUNTED

COLUMNS = "day, gross_cents, fee_cents, gifts, counted_gifts, counted_cents"

POSTGRES_FUNCTION = f"""
CREATE FUNCTION donations_giving_days_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Each statement's change per day, as new rows: its new gifts added, its old ones taken
    -- away. New rows lock nothing another transaction waits for.
    IF TG_OP = 'INSERT' THEN
        INSERT INTO donations_givingday ({COLUMNS})
        SELECT received_on, SUM(ROUND(amount * 100))::bigint,
               SUM(ROUND(COALESCE(fee, 0) * 100))::bigint, COUNT(*),
               COUNT(*) FILTER (WHERE status IN {COUNTED}),
               COALESCE(SUM(ROUND(amount * 100)) FILTER (WHERE status IN {COUNTED}), 0)::bigint
        FROM new_gifts WHERE status IN {RECEIVED} GROUP BY received_on;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO donations_givingday ({COLUMNS})
        SELECT received_on, -SUM(ROUND(amount * 100))::bigint,
               -SUM(ROUND(COALESCE(fee, 0) * 100))::bigint, -COUNT(*),
               -COUNT(*) FILTER (WHERE status IN {COUNTED}),
               -COALESCE(SUM(ROUND(amount * 100)) FILTER (WHERE status IN {COUNTED}), 0)::bigint
        FROM old_gifts WHERE status IN {RECEIVED} GROUP BY received_on;
    ELSE
        -- Most updates (thanked, a note, a campaign) change no day's money: nothing written.
        INSERT INTO donations_givingday ({COLUMNS})
        SELECT day, SUM(gross)::bigint, SUM(fee)::bigint, SUM(gifts), SUM(counted),
               SUM(counted_cents)::bigint
        FROM (
            SELECT received_on AS day, ROUND(amount * 100) AS gross,
                   ROUND(COALESCE(fee, 0) * 100) AS fee, 1 AS gifts,
                   CASE WHEN status IN {COUNTED} THEN 1 ELSE 0 END AS counted,
                   CASE WHEN status IN {COUNTED} THEN ROUND(amount * 100) ELSE 0 END
                       AS counted_cents
            FROM new_gifts WHERE status IN {RECEIVED}
            UNION ALL
            SELECT received_on, -ROUND(amount * 100), -ROUND(COALESCE(fee, 0) * 100), -1,
                   CASE WHEN status IN {COUNTED} THEN -1 ELSE 0 END,
                   CASE WHEN status IN {COUNTED} THEN -ROUND(amount * 100) ELSE 0 END
            FROM old_gifts WHERE status IN {RECEIVED}
        ) AS change
        GROUP BY day
        HAVING SUM(gross) <> 0 OR SUM(fee) <> 0 OR SUM(gifts) <> 0 OR SUM(counted) <> 0
            OR SUM(counted_cents) <> 0;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER giving_days_insert AFTER INSERT ON donations_gift
    REFERENCING NEW TABLE AS new_gifts
    FOR EACH STATEMENT EXECUTE FUNCTION donations_giving_days_apply();
CREATE TRIGGER giving_days_update AFTER UPDATE ON donations_gift
    REFERENCING OLD TABLE AS old_gifts NEW TABLE AS new_gifts
    FOR EACH STATEMENT EXECUTE FUNCTION donations_giving_days_apply();
CREATE TRIGGER giving_days_delete AFTER DELETE ON donations_gift
    REFERENCING OLD TABLE AS old_gifts
    FOR EACH STATEMENT EXECUTE FUNCTION donations_giving_days_apply();
"""
POSTGRES_DROP = """
DROP TRIGGER giving_days_insert ON donations_gift;
DROP TRIGGER giving_days_update ON donations_gift;
DROP TRIGGER giving_days_delete ON donations_gift;
DROP FUNCTION donations_giving_days_apply();
"""


def _sqlite_change(row: str, sign: str) -> str:
    """The statement adding (sign '+') or taking away ('-') the row OLD or NEW on its day's
    one row."""
    counted = f"{row}.status IN {COUNTED}"
    return f"""
        UPDATE donations_givingday SET
            gross_cents = gross_cents {sign} CAST(ROUND({row}.amount * 100) AS INTEGER),
            fee_cents = fee_cents {sign} CAST(ROUND(COALESCE({row}.fee, 0) * 100) AS INTEGER),
            gifts = gifts {sign} 1,
            counted_gifts = counted_gifts {sign} ({counted}),
            counted_cents = counted_cents {sign}
                CASE WHEN {counted} THEN CAST(ROUND({row}.amount * 100) AS INTEGER) ELSE 0 END
        WHERE id = (SELECT MIN(id) FROM donations_givingday WHERE day = {row}.received_on)
            AND {row}.status IN {RECEIVED};"""


_SQLITE_DAY_ROW = f"""
        INSERT INTO donations_givingday ({COLUMNS})
        SELECT NEW.received_on, 0, 0, 0, 0, 0 WHERE NEW.status IN {RECEIVED}
            AND NOT EXISTS (SELECT 1 FROM donations_givingday WHERE day = NEW.received_on);"""

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER giving_days_insert AFTER INSERT ON donations_gift BEGIN
        {_SQLITE_DAY_ROW} {_sqlite_change("NEW", "+")}
    END""",
    f"""CREATE TRIGGER giving_days_update AFTER UPDATE OF status, amount, fee, received_on
    ON donations_gift BEGIN
        {_sqlite_change("OLD", "-")} {_SQLITE_DAY_ROW} {_sqlite_change("NEW", "+")}
    END""",
    f"""CREATE TRIGGER giving_days_delete AFTER DELETE ON donations_gift BEGIN
        {_sqlite_change("OLD", "-")}
    END""",
]
SQLITE_DROP = [
    "DROP TRIGGER giving_days_insert",
    "DROP TRIGGER giving_days_update",
    "DROP TRIGGER giving_days_delete",
]

FILL = {
    "postgresql": f"""
        INSERT INTO donations_givingday ({COLUMNS})
        SELECT received_on, SUM(ROUND(amount * 100))::bigint,
               SUM(ROUND(COALESCE(fee, 0) * 100))::bigint, COUNT(*),
               COUNT(*) FILTER (WHERE status IN {COUNTED}),
               COALESCE(SUM(ROUND(amount * 100)) FILTER (WHERE status IN {COUNTED}), 0)::bigint
        FROM donations_gift WHERE status IN {RECEIVED} GROUP BY received_on""",
    "sqlite": f"""
        INSERT INTO donations_givingday ({COLUMNS})
        SELECT received_on, SUM(CAST(ROUND(amount * 100) AS INTEGER)),
               SUM(CAST(ROUND(COALESCE(fee, 0) * 100) AS INTEGER)), COUNT(*),
               SUM(status IN {COUNTED}),
               SUM(CASE WHEN status IN {COUNTED} THEN CAST(ROUND(amount * 100) AS INTEGER)
                   ELSE 0 END)
        FROM donations_gift WHERE status IN {RECEIVED} GROUP BY received_on""",
}


def create_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = [POSTGRES_FUNCTION] if vendor == "postgresql" else SQLITE_TRIGGERS
    if vendor not in FILL:
        raise NotImplementedError(
            f"GivingDay's triggers are written for SQLite and PostgreSQL, not {vendor}."
        )
    for sql in [*statements, FILL[vendor]]:
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for sql in [POSTGRES_DROP] if vendor == "postgresql" else SQLITE_DROP:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0024_campaign_name_es_fund_name_es"),
    ]

    operations = [
        migrations.CreateModel(
            name="GivingDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(db_index=True)),
                ("gross_cents", models.BigIntegerField(default=0)),
                ("fee_cents", models.BigIntegerField(default=0)),
                ("gifts", models.IntegerField(default=0)),
                ("counted_gifts", models.IntegerField(default=0)),
                ("counted_cents", models.BigIntegerField(default=0)),
            ],
            options={"verbose_name": "giving day"},
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
