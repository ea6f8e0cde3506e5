# Exporting gifts is a permission of its own (issue 10, finding 6); the roles are re-synced
# after migrate by core.roles, so staff gain it and the board does not.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('donations', '0005_checkout_throttle'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='gift',
            options={'ordering': ['-received_on', '-pk'], 'permissions': [('export_gift', "Can export gifts with donors' personal data")]},
        ),
    ]
