"""Import the project ledger (台账): `import_ledger FILE.xlsx [--dry-run] [--create-unknown]`.

A park, department or person the zone does not know stops the import with the closest existing
names; `--create-unknown` creates them (a first import into an empty zone), nothing else does.

`--user` must be someone the rulebook lets import (and, with `--as-correction`, correct locked months);
a refusal exits with status 77 (EX_NOPERM) before the file is read.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from django.utils.translation import gettext as _

from projects.ledger import (
    LedgerRejected,
    count_rows,
    format_problem,
    ledger_apply,
    ledger_read,
    ledger_require_importer,
)
from projects.models import RoleCode

REFUSED = 77  # sysexits.h EX_NOPERM


class Command(BaseCommand):
    help = "Import the project ledger from an .xlsx file; nothing is imported if any row is bad."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the ledger workbook (.xlsx)")
        parser.add_argument("--dry-run", action="store_true", help="show what would change, write nothing")
        parser.add_argument(
            "--as-correction",
            action="store_true",
            help="correct locked months (needs --user naming an administrator)",
        )
        parser.add_argument("--user", help="the username the history records as the importer")
        parser.add_argument(
            "--create-unknown",
            action="store_true",
            help="create the parks, departments and people the zone does not know yet",
        )

    def handle(self, *args, file, dry_run, as_correction, user, create_unknown, **options):
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(_("No user %(username)s.") % {"username": user})
        try:
            ledger_require_importer(by, as_correction=as_correction)
        except PermissionDenied as refused:
            raise self.refused(refused) from None
        try:
            with open(file, "rb") as handle:
                plan = ledger_read(handle, as_correction=as_correction, create_unknown=create_unknown)
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        self.report(plan)
        if plan.unknown_names:
            self.stderr.write(
                _("%(count)s unknown name(s): correct the file, or create them with --create-unknown.")
                % {"count": len(plan.unknown_names)}
            )
        if plan.errors:
            raise CommandError(
                _("%(count)s bad row(s) or column(s); nothing was imported.") % {"count": len(plan.errors)}
            )
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
            return
        try:
            ledger_apply(plan, by=by, as_correction=as_correction)
        except PermissionDenied as refused:  # the roles changed since the check above
            raise self.refused(refused) from None
        except IntegrityError as exc:
            raise CommandError(_("The data changed while importing; nothing was imported.")) from exc
        except LedgerRejected as exc:
            self.report(exc.plan)
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(_("Imported.")))

    def refused(self, refused):
        """The rulebook's refusal, naming the roles that may do it."""
        roles = " / ".join(str(RoleCode(role).label) for role in getattr(refused, "roles", ()))
        message = _("Refused: this import needs --user naming a %(roles)s; nothing was imported.")
        return CommandError(message % {"roles": roles}, returncode=REFUSED)

    def report(self, plan):
        for label, created, updated, unchanged in count_rows(plan):
            self.stdout.write(
                _("%(entity)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged")
                % {"entity": label, "created": created, "updated": updated, "unchanged": unchanged}
            )
        for change in plan.changes:
            details = "; ".join(f"{label}: {before} → {after}" for label, before, after in change.fields)
            action = _("create") if change.action == "create" else _("update")
            self.stdout.write(
                f"  {action} {change.entity} {change.key}" + (f" ({details})" if details else "")
            )
        for problem in plan.sorted_warnings():
            self.stdout.write(
                self.style.WARNING(_("Warning: %(problem)s") % {"problem": format_problem(problem)})
            )
        for problem in plan.sorted_errors():
            self.stderr.write(
                self.style.ERROR(_("Error: %(problem)s") % {"problem": format_problem(problem)})
            )
