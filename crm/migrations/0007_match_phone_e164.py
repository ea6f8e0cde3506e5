"""Supporters' phone match keys were the last ten digits; they are now E.164 read in the
record's country (crm.matching.phone_key), so the duplicate finder and import matching compare
stored keys with new ones. Recomputed here for every supporter with a phone."""

from django.db import migrations

from crm.matching import phone_key

BATCH = 2000


def recompute(apps, schema_editor):
    Supporter = apps.get_model("crm", "Supporter")
    rows = Supporter.objects.exclude(phone="").only("pk", "phone", "country", "match_phone")
    changed = []
    for supporter in rows.iterator(chunk_size=BATCH):
        key = phone_key(supporter.phone, supporter.country)
        if key != supporter.match_phone:
            supporter.match_phone = key
            changed.append(supporter)
        if len(changed) >= BATCH:
            Supporter.objects.bulk_update(changed, ["match_phone"])
            changed = []
    Supporter.objects.bulk_update(changed, ["match_phone"])


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0006_middle_name_suffix"),
    ]

    operations = [
        migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True),
    ]
