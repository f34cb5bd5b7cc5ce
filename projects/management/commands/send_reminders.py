"""Warn the responsible people before a deadline, once per item and threshold (cron, any number of
servers): a thin loop over the service."""

from django.core.management.base import BaseCommand

from projects.services.reminders import reminders_send


class Command(BaseCommand):
    help = (
        "Remind each responsible person of the issues, plan nodes and monthly rounds due within the "
        "working days set in the service rules; a second run the same day sends nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List who would be reminded; send nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        sent = reminders_send(dry_run=dry_run)
        for user, reminders in sent:
            self.stdout.write(f"{user.get_username()}: {len(reminders)} item(s)")
            for reminder in reminders:
                self.stdout.write(f"  {reminder.text}")
        lines = sum(len(reminders) for _user, reminders in sent)
        self.stdout.write(f"{'Dry run: ' if dry_run else ''}{len(sent)} person(s), {lines} reminder(s).")
