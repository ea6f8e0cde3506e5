# Year-end statements sent once per donor, year and channel (issue 11, item 7):
# donations.statement_runs records each send here.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('crm', '0004_export_permissions'),
        ('donations', '0009_noncash_gifts'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='StatementSend',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(help_text='The fiscal year the statement covers.')),
                ('channel', models.CharField(choices=[('email', 'Email'), ('post', 'Post')], max_length=5)),
                ('sent_at', models.DateTimeField(auto_now_add=True)),
                ('is_correction', models.BooleanField(default=False)),
                ('note', models.CharField(blank=True, help_text='Why a correction was sent.', max_length=300)),
                ('sent_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                ('supporter', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='statement_sends', to='crm.supporter')),
            ],
            options={
                'ordering': ['-sent_at', '-pk'],
                'indexes': [models.Index(fields=['year', 'supporter'], name='statement_send_year')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('is_correction', False)), fields=('supporter', 'year', 'channel'), name='one_statement_per_donor_year_channel')],
            },
        ),
    ]
