# Import jobs (issue 10, finding 10): large supporter and gift imports are checked and written
# by the background worker, and their preview is kept to be read a page at a time.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('crm', '0002_supporter_ordering'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ImportJob',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=20)),
                ('status', models.CharField(choices=[('queued', 'Waiting to be checked'), ('checking', 'Checking'), ('ready', 'Checked: waiting for your confirmation'), ('refused', 'Cannot be imported'), ('confirmed', 'Waiting to be imported'), ('importing', 'Importing'), ('done', 'Imported'), ('failed', 'Stopped by an unexpected error')], default='queued', max_length=10)),
                ('file', models.FileField(blank=True, upload_to='imports/')),
                ('file_name', models.CharField(max_length=255)),
                ('file_format', models.CharField(max_length=4)),
                ('options', models.JSONField(blank=True, default=dict)),
                ('background', models.BooleanField(default=False)),
                ('rows_total', models.PositiveIntegerField(default=0)),
                ('rows_done', models.PositiveIntegerField(default=0)),
                ('result', models.JSONField(blank=True, default=dict)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='ImportJobRow',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField()),
                ('action', models.CharField(max_length=8)),
                ('cells', models.JSONField(default=list)),
                ('errors', models.JSONField(blank=True, default=dict)),
                ('job', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rows', to='crm.importjob')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('job', 'number'), name='import_job_row_unique')],
            },
        ),
    ]
