# Exporting supporters is a permission of its own (issue 10, finding 6); the roles are
# re-synced after migrate by core.roles, so staff gain it and the board does not.

import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('crm', '0003_importjob'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='supporter',
            options={'ordering': [models.OrderBy(django.db.models.functions.comparison.Coalesce(django.db.models.functions.comparison.NullIf('last_name', models.Value('')), 'organisation_name')), 'first_name', 'pk'], 'permissions': [('export_supporter', "Can export supporters' personal data")]},
        ),
    ]
