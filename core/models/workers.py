"""Background workers' heartbeats: each `manage.py worker` process writes its row every
half minute, so /healthz and the staff home can tell that a worker is alive on some machine."""

from django.db import models


class WorkerHeartbeat(models.Model):
    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField()
    # The health check's query: the newest beat of any worker.
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "worker heartbeat"

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid} ({self.worker_id})"
