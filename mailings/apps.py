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

        # donations asks mailings for a thank-you's words through this seam (it may not
        # import mailings: reports -> mailings -> donations).
        from donations.acknowledgements.writing import writer_register
        from mailings.thanks.writer import ComposerWriter

        writer_register(ComposerWriter())
        demo_seeded.connect(_seed_thank_you_letters, dispatch_uid="mailings.thank_you_letters")


def _seed_demo_letters(sender: Any, seed: int, **kwargs: Any) -> str:
    from mailings.demo_data import demo_letters_seed

    return demo_letters_seed(seed=seed)


def _seed_thank_you_letters(sender: Any, seed: int, **kwargs: Any) -> str:
    from mailings.thanks.defaults import thank_you_defaults_ensure

    made = thank_you_defaults_ensure()
    return f"{made} thank-you rules and their letters" if made else "thank-you rules kept"


def _seed_demo_mailings(sender: Any, seed: int, **kwargs: Any) -> str:
    from mailings.sending.demo import demo_mailings_seed

    return demo_mailings_seed(seed=seed)
