from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Organisation"

    def ready(self) -> None:
        from core.roles import on_post_migrate

        post_migrate.connect(on_post_migrate, dispatch_uid="core.sync_role_permissions")
