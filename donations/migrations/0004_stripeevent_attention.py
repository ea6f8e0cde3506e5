# A Stripe event the books cannot hold (a gift of no or an implausible amount) is kept on
# its inbox row with the reason, for staff (issue 10, finding 9).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0003_receipts"),
    ]

    operations = [
        migrations.AddField(
            model_name="stripeevent",
            name="attention",
            field=models.CharField(blank=True, max_length=500),
        ),
    ]
