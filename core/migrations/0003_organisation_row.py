from django.db import migrations


def create_row(apps, schema_editor):
    apps.get_model("core", "Organisation").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_organisation")]

    operations = [migrations.RunPython(create_row, migrations.RunPython.noop)]
