"""`python manage.py make_plans [--dry-run]`: give every project without a template plan its node plan.

For a zone whose projects existed before node plans (the migration moved their milestones into
their plans): adds the template's nodes of each project's type in bulk; projects whose plan already
has template nodes are left alone, so running it twice changes nothing.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Exists, OuterRef

from projects.models import PlanNode, Project
from projects.services.plans import plans_create_bulk


class Command(BaseCommand):
    help = "Add the node plan from its type's template to every project that has none yet."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count the projects.")

    def handle(self, *args, dry_run=False, **options):
        templated = PlanNode.objects.filter(project=OuterRef("pk"), template__isnull=False)
        projects = Project.objects.exclude(Exists(templated))
        if dry_run:
            self.stdout.write(f"{projects.count()} projects without a plan")
            return
        with transaction.atomic():
            todo = list(projects.select_for_update())
            nodes = plans_create_bulk(todo, keep_existing=True)
        self.stdout.write(f"{len(todo)} projects, {nodes} nodes added")
