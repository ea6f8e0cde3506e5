from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = "Supporters"

    def ready(self) -> None:
        from core.outbox.tracking import listen
        from crm.email_events import supporter_email_event

        listen(supporter_email_event)
