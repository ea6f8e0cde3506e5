from django.core.management.base import BaseCommand, CommandError, CommandParser

from mailings.models import Mailing
from mailings.sending.services import SendRefused, mailing_plan, mailing_send


class Command(BaseCommand):
    help = (
        "Send a mailing, as its Send button does: claimed once, its recipients written, its "
        "emails handed to the outbox (the db_worker sends them). Says who is left out and why."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("mailing", help="The mailing's slug, e.g. demo-sanctuary-email.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Only say who would get it; send nothing."
        )

    def handle(self, *args: object, mailing: str, dry_run: bool, **options: object) -> None:
        found = Mailing.objects.select_related("letter", "audience").filter(slug=mailing).first()
        if found is None:
            known = ", ".join(Mailing.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"No mailing '{mailing}'. Mailings: {known}.")
        try:
            plan = mailing_plan(found)
            for channel in (plan.email, plan.print):
                if channel is None:
                    continue
                left_out = ", ".join(f"{n} {why.lower()}" for why, n in channel.excluded.items())
                shared = channel.letters.get("household_letters")
                letters = channel.letters.get("letters", 0)
                households = (
                    f" in {letters} letter{'s' * (letters != 1)} ({shared} to households)"
                    if shared
                    else ""
                )
                self.stdout.write(
                    f"{channel.channel}: {len(channel.recipients)} recipients{households}"
                    + (f"; left out: {left_out}" if left_out else "")
                )
            if plan.test_problem:
                raise SendRefused(plan.test_problem)
            if plan.test:
                self.stdout.write(
                    f"subject test: {plan.test.per_subject} get A, {plan.test.per_subject} get "
                    f"B; the other {plan.test.rest} get the winner after {found.test_hours} h"
                )
            if dry_run:
                return
            mailing_send(mailing=found, user=None)
        except SendRefused as refused:
            raise CommandError(str(refused)) from None
        emails = found.deliveries.filter(channel="email")
        queued = emails.exclude(subject_variant="") if found.tests_subjects else emails
        self.stdout.write(
            f"Sending '{found.name}': {queued.count()} emails queued for the worker; print "
            "with the mailing's Print button or render_letters."
        )
