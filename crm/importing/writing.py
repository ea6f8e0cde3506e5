"""Writing a checked supporter import: new records and their history through core.bulk,
updates through simple-history's bulk update, then consent events, tags, notes and source ids.
Only each person's lead row is written (crm.importing.folding); the rows folded into it are
given its supporter id."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_update_with_history

from core import bulk
from core.history_records import snapshot_m2m
from crm import matching
from crm.importing.outcome import RESTRICTIONS, SIDE_VALUES, RowOutcome
from crm.models import ConsentEvent, Note, SourceId, Supporter, Tag


def write_import(rows: list[RowOutcome], *, actor: AbstractBaseUser | None, file_name: str) -> None:
    with bulk.sqlite_cache_enlarged(), transaction.atomic():
        history_ids = _insert_new_supporters(rows, actor=actor, file_name=file_name)
        _update_matched_supporters(rows, actor=actor, file_name=file_name)
        _write_consent_events(rows, actor=actor, file_name=file_name)
        links = _write_tags(rows)
        # The history rows above were written in bulk, without the tags: give them the tags
        # as this import leaves them, so the next save does not read as a change of every tag.
        # A new record's only history row and only tags are the ones just written.
        _snapshot_new_tags(links, history_ids)
        snapshot_m2m(Supporter, [r.supporter_id for r in rows if r.action == "update"])
        _write_notes(rows, actor=actor)
        _write_source_ids(rows)
    for row in rows:
        if row.folded_into is not None:
            row.supporter_id = row.folded_into.supporter_id


def _insert_new_supporters(
    rows: list[RowOutcome], *, actor: AbstractBaseUser | None, file_name: str
) -> dict[int, int]:
    """New supporters and their 'created' history rows, through core.bulk (see why there).
    Returns each new supporter's history row id."""
    new_rows = [r for r in rows if r.action == "new"]
    if not new_rows:
        return {}
    now = timezone.now()
    defaults = {
        f.attname: f.get_default() for f in Supporter._meta.concrete_fields if not f.primary_key
    }
    # The history's reason column holds 100 characters; a long file name is cut.
    reason = (f"Imported from {file_name}" if file_name else "Imported")[:100]
    stamps = {"created_at": now, "updated_at": now}
    history_stamps = {
        "history_date": now,
        "history_type": "+",
        "history_change_reason": reason,
        "history_user_id": getattr(actor, "pk", None),
    }
    history_ids = dict(
        zip(
            bulk.reserve_ids(Supporter, len(new_rows)),
            bulk.reserve_ids(Supporter.history.model, len(new_rows)),
            strict=True,
        )
    )

    def records():  # built as they are written: PostgreSQL stores them meanwhile (core.bulk)
        for row, pk in zip(new_rows, history_ids, strict=True):
            # core.bulk writes only the model's columns: the side values (tags...) are left out.
            record = {**defaults, **row.values, "id": pk, **stamps}
            record["email_opt_in"] = record["email_opt_in"] or "unknown"
            record.update(matching.record_keys(record))
            row.supporter_id = pk
            yield record

    bulk.insert_rows(Supporter, records())
    # Each record's 'created' history row, copied from it by the database.
    bulk.insert_history_copies(Supporter, history_ids.items(), history_stamps)
    return history_ids


def _update_matched_supporters(
    rows: list[RowOutcome], *, actor: AbstractBaseUser | None, file_name: str
) -> None:
    updated = [r for r in rows if r.action == "update"]
    if not updated:
        return
    changed_fields = {
        "updated_at", "match_email", "match_name", "match_postal", "match_phone", "email_hash",
    }  # fmt: skip
    now = timezone.now()
    for row in updated:
        for name, (_old, new) in row.changes.items():
            if name not in SIDE_VALUES:
                setattr(row.supporter, name, new)
                changed_fields.add(name)
        row.supporter.updated_at = now
        row.supporter.refresh_match_keys()
    bulk_update_with_history(
        [r.supporter for r in updated],
        Supporter,
        fields=sorted(changed_fields),
        batch_size=500,
        default_user=actor,
        default_change_reason=(f"Updated by import of {file_name}" if file_name else "Import")[
            :100
        ],
    )


def _write_consent_events(
    rows: list[RowOutcome], *, actor: AbstractBaseUser | None, file_name: str
) -> None:
    now = timezone.now()
    actor_id = getattr(actor, "pk", None)

    def events():  # built as they are written (core.bulk)
        for row in rows:
            if row.action not in ("new", "update"):
                continue
            source = str(row.values.get("consent_source") or file_name)[:200]
            for name in ("email_opt_in", *RESTRICTIONS[:3]):
                if row.action == "new":
                    new_value = row.values.get(name)
                    if not new_value:
                        continue
                    old = "unknown" if name == "email_opt_in" else False
                elif name in row.changes:
                    old, new_value = row.changes[name]
                else:
                    continue
                yield {
                    "supporter_id": row.supporter_id,
                    "field": name,
                    "old_value": str(old),
                    "new_value": str(new_value),
                    "method": ConsentEvent.Method.IMPORT.value,
                    "source": source,
                    "actor_id": actor_id,
                    "at": now,
                }

    bulk.insert_rows(ConsentEvent, events())


def _write_tags(rows: list[RowOutcome]) -> list[dict]:
    """The tag links added, with their ids."""
    written = [r for r in rows if r.action in ("new", "update") and r.new_tags]
    wanted = {name for row in written for name in row.new_tags}
    if not wanted:
        return []
    tag_ids = dict(Tag.objects.filter(name__in=wanted).values_list("name", "pk"))
    missing = [Tag(name=name) for name in sorted(wanted - tag_ids.keys())]
    for tag in Tag.objects.bulk_create(missing):
        tag_ids[tag.name] = tag.pk
    links = [
        {"supporter_id": row.supporter_id, "tag_id": tag_ids[name]}
        for row in written
        for name in row.new_tags
    ]
    for link, pk in zip(links, bulk.reserve_ids(Supporter.tags.through, len(links)), strict=True):
        link["id"] = pk
    bulk.insert_rows(Supporter.tags.through, links)
    return links


def _snapshot_new_tags(links: list[dict], history_ids: dict[int, int]) -> None:
    """What core.history_records.snapshot_m2m reads back, for new records: their tag links,
    each on the record's one history row."""
    snapshot_model = HistoricalRecords.m2m_models[Supporter._meta.get_field("tags")]
    bulk.insert_rows(
        snapshot_model,
        (
            {**link, "history_id": history_ids[link["supporter_id"]]}
            for link in links
            if link["supporter_id"] in history_ids
        ),
    )


def _write_notes(rows: list[RowOutcome], *, actor: AbstractBaseUser | None) -> None:
    now = timezone.now()
    notes = [
        {
            "supporter_id": r.supporter_id,
            "text": str(r.values["notes"]),
            "author_id": getattr(actor, "pk", None),
            "created_at": now,
        }
        for r in rows
        if r.add_note and r.action in ("new", "update")
    ]
    bulk.insert_rows(Note, notes)


def _write_source_ids(rows: list[RowOutcome]) -> None:
    now = timezone.now()
    ids = [
        {"supporter_id": r.supporter_id, "system": system, "value": value, "created_at": now}
        for r in rows
        if r.action in ("new", "update")
        for system, value in r.new_source_ids
    ]
    bulk.insert_rows(SourceId, ids)
