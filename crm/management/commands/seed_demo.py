from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.roles import BOARD_GROUP, STAFF_GROUP
from crm.demo_data import HEADERS, demo_rows
from crm.importing.supporters import supporters_import
from crm.signals import demo_seeded

DEMO_LOGINS = (
    ("staff", "staff-demo-password", STAFF_GROUP, "Dana", "Development"),
    ("board", "board-demo-password", BOARD_GROUP, "Bo", "Board"),
)


class Command(BaseCommand):
    help = (
        "Load deterministic demo supporters (and, with DEBUG on, demo staff and board logins). "
        "Running it again adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--supporters", type=int, default=500)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: object, supporters: int, seed: int, **options: object) -> None:
        if supporters < 0:
            raise CommandError("--supporters must be 0 or more.")
        # The demo data goes through the same importer staff use, so its matching rules
        # are what make a second run add nothing.
        report = supporters_import(
            headers=HEADERS,
            rows=demo_rows(supporters, seed),
            dry_run=False,
            file_name="demo data",
        )
        if supporters == 0:  # the organisation's demo settings, letters and funds only
            report.file_errors.clear()
        if not report.ok:
            problems = report.file_errors + [
                f"row {r.number}: {r.errors}" for r in report.invalid_rows[:5]
            ]
            raise CommandError("Demo data did not import: " + "; ".join(problems))
        totals = report.totals
        self.stdout.write(
            f"Demo supporters: {totals['new']} added, {totals['update']} updated, "
            f"{totals['skip']} already there."
        )
        # Other apps add their own demo rows (gifts, letters); crm cannot import them.
        for _receiver, message in demo_seeded.send(sender=self.__class__, seed=seed):
            if message:
                self.stdout.write(str(message))
        if settings.DEBUG:
            self._demo_logins()
        else:
            self.stdout.write("DEBUG is off: no demo logins created.")

    def _demo_logins(self) -> None:
        User = get_user_model()
        for username, password, group_name, first, last in DEMO_LOGINS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "is_staff": True,
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.org",
                },
            )
            if created:
                user.set_password(password)
                user.save()
            user.groups.add(Group.objects.get(name=group_name))
            self.stdout.write(f"Demo login ({group_name}): {username} / {password}")
