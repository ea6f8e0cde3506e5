from anymail.signals import tracking
from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Organization"

    def ready(self) -> None:
        from core.roles import on_post_migrate

        post_migrate.connect(on_post_migrate, dispatch_uid="core.sync_role_permissions")
        tracking.connect(_on_tracking, dispatch_uid="core.outbox.tracking")


def _on_tracking(sender: object, event: object, esp_name: str, **kwargs: object) -> None:
    from core.outbox.tracking import tracking_event_receive

    tracking_event_receive(event=event, esp_name=esp_name)
