# Checkout bursts shown to staff, and the database cache's table that the checkout rate limits
# count in when no CACHE_URL is set (issue 10, finding 4).

from django.core.management import call_command
from django.db import migrations, models


def create_cache_table(apps, schema_editor):
    # createcachetable makes the table of every DatabaseCache in settings.CACHES, and skips
    # one that exists; with Redis configured it does nothing. `make migrate` runs it again,
    # so a site that later drops CACHE_URL gets its table too.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0004_stripeevent_attention"),
    ]

    operations = [
        migrations.CreateModel(
            name="CheckoutThrottleEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("limit", models.CharField(choices=[("ip", "Per IP address"), ("email", "Per email address"), ("total", "All donors together")], max_length=5)),
                ("subject", models.CharField(blank=True, help_text="The IP address or email; empty for all donors.", max_length=254)),
                ("rate", models.CharField(help_text="The limit then in force, e.g. 10/10m.", max_length=20)),
                ("started_at", models.DateTimeField()),
                ("last_attempt_at", models.DateTimeField()),
                ("refused", models.PositiveIntegerField(default=0, help_text="Attempts refused or sent to the captcha.")),
                ("passed_captcha", models.PositiveIntegerField(default=0, help_text="Attempts let through after a captcha the provider accepted.")),
            ],
            options={
                "ordering": ["-started_at"],
                "indexes": [models.Index(fields=["limit", "subject", "-last_attempt_at"], name="throttle_open")],
            },
        ),
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
