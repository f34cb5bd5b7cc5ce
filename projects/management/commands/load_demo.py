"""`python manage.py load_demo [--if-empty]`: the demo zone of the source article, then its logins."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from projects.demo import demo_logins, load_demo
from projects.models import Project


class Command(BaseCommand):
    help = "Create the demo zone (idempotent: a second run changes nothing) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the database already has a project (used by `make run`).",
        )

    def handle(self, *args, if_empty=False, **options):
        if if_empty and Project.objects.exists():
            self.stdout.write(_("The database already has projects: the demo zone was not loaded."))
        else:
            created = load_demo()
            if any(created.values()):
                summary = ", ".join(
                    f"{model._meta.verbose_name_plural} {number}"
                    for model, number in created.items()
                    if number
                )
                self.stdout.write(
                    self.style.SUCCESS(_("Demo zone created: %(summary)s.") % {"summary": summary})
                )
            else:
                self.stdout.write(_("The demo zone is already complete: nothing changed."))
        self.stdout.write(_("Demo logins (username, password, role):"))
        for username, roles, password in demo_logins():
            self.stdout.write(f"  {username:<12} {password}  {' + '.join(str(role) for role in roles)}")
        self.stdout.write(
            _(
                "Other demo users (same password): grid2–grid6 (grid workers of the other parks), "
                "leader2–leader4, edb2, hr, land, finance, build, env, power, water, gas."
            )
        )
