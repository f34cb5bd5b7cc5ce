"""Raise every overdue issue one level (cron, any number of servers): a thin loop over the service."""

from django.core.management.base import BaseCommand, CommandError

from projects.services.issues import Escalation, escalate_overdue


class Command(BaseCommand):
    help = "Escalate every unresolved, unsuspended issue past its deadline one level (stopping at level 4)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what would happen; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        results = escalate_overdue(dry_run=dry_run)
        labels = {
            Escalation.ESCALATED: "escalated",
            Escalation.WOULD_ESCALATE: "would escalate",
            Escalation.AT_TOP: "at level 4, nothing higher (report)",
            Escalation.LOST_RACE: "skipped, changed meanwhile",
            Escalation.FAILED: "FAILED (see the log); the others went on",
        }
        for result in results:
            target = f" -> {result.to_level}" if result.to_level else ""
            extra = ", ".join(
                part
                for part in (
                    f"deadline {result.deadline}" if result.to_level else "",
                    f"department {result.department}" if result.department else "",
                    f"leader {result.leader}" if result.leader else "",
                )
                if part
            )
            self.stdout.write(
                f"#{result.issue_id} level {result.from_level}{target}: {labels[result.outcome]}"
                f" (overdue since {result.overdue_since}){'; ' + extra if extra else ''}"
            )
        counts = {outcome: sum(1 for r in results if r.outcome == outcome) for outcome in labels}
        prefix = "Dry run: " if dry_run else ""
        self.stdout.write(
            f"{prefix}{counts[Escalation.ESCALATED] + counts[Escalation.WOULD_ESCALATE]} to escalate, "
            f"{counts[Escalation.AT_TOP]} at level 4, {counts[Escalation.LOST_RACE]} skipped."
        )
        if counts[Escalation.FAILED]:
            # Exit non-zero so cron reports it, after every other issue was dealt with.
            raise CommandError(f"{counts[Escalation.FAILED]} issue(s) could not be escalated.")
