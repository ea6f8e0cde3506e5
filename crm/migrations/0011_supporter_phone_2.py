# A second phone ('Phone2' in many donor exports), kept instead of dropped on import.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('crm', '0010_import_mapping'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalsupporter',
            name='phone_2',
            field=models.CharField(blank=True, max_length=40, verbose_name='other phone'),
        ),
        migrations.AddField(
            model_name='supporter',
            name='phone_2',
            field=models.CharField(blank=True, max_length=40, verbose_name='other phone'),
        ),
    ]
