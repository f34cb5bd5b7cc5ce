"""E-mail each person their overdue issues and late first responses, once a day (cron, any number of
servers)."""

from django.core.management.base import BaseCommand

from projects.services.digest import digest_send


class Command(BaseCommand):
    help = (
        "Send each person a digest of their overdue issues and late first responses; "
        "a second run the same day sends nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List who would get a digest; send nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        sent = digest_send(dry_run=dry_run)
        for user, count in sent:
            self.stdout.write(f"{user.get_username()}: {count} item(s)")
        self.stdout.write(f"{'Dry run: ' if dry_run else ''}{len(sent)} digest(s).")
