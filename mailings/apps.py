from typing import Any

from django.apps import AppConfig


class MailingsConfig(AppConfig):
    name = "mailings"
    verbose_name = "Mailings"

    def ready(self) -> None:
        from crm.signals import demo_seeded

        demo_seeded.connect(_seed_demo_letters, dispatch_uid="mailings.demo_letters")
        demo_seeded.connect(_seed_demo_mailings, dispatch_uid="mailings.demo_mailings")

        from core.outbox import composers
        from mailings.sending.composer import COMPOSER, appeal_messages_compose

        composers.register(COMPOSER, appeal_messages_compose)


def _seed_demo_letters(sender: Any, seed: int, **kwargs: Any) -> str:
    from mailings.demo_data import demo_letters_seed

    return demo_letters_seed(seed=seed)


def _seed_demo_mailings(sender: Any, seed: int, **kwargs: Any) -> str:
    from mailings.sending.demo import demo_mailings_seed

    return demo_mailings_seed(seed=seed)
