"""Emergency: remove a person's authenticator app (a lost or replaced phone).

At their next sign-in they use their password alone and are then asked to set up an app again
(right away when TWO_FACTOR_REQUIRED is on).
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.sign_in import two_factor_reset


class Command(BaseCommand):
    help = "Remove a user's authenticator app so they can set up a new one at next sign-in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        User = get_user_model()
        try:
            user = User.objects.get_by_natural_key(username)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user named {username!r}.") from exc
        removed = two_factor_reset(user=user)
        if removed:
            self.stdout.write(
                f"Removed {removed} authenticator app(s) of {username}. They set up a new "
                "one at their next sign-in."
            )
        else:
            self.stdout.write(f"{username} had no authenticator app; nothing changed.")
