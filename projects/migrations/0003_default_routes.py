"""PRODUCT.md "Routing": the departments it names and the default department of each category.

Without these rows a new installation sends every issue to its project's lead department until an
administrator builds the routes by hand. Rows that exist already (an administrator's, or the demo's)
are left as they are: a route an administrator changed is never reset. 其他 has no default route:
such an issue goes to the project's lead department.
"""

from django.db import migrations

# (name, display order) — the order the demo zone gives these departments.
DEPARTMENTS = [
    ("经济发展局", 1),
    ("行政审批局", 2),
    ("自然资源和规划局", 3),
    ("人力资源和社会保障局", 4),
    ("财政金融局", 5),
]
ROUTES = {
    "permits": "行政审批局",
    "land": "自然资源和规划局",
    "hiring": "人力资源和社会保障局",
    "utilities": "经济发展局",
    "finance": "财政金融局",
    "policy": "经济发展局",
}


def create_routes(apps, schema_editor):
    Department = apps.get_model("projects", "Department")
    CategoryRoute = apps.get_model("projects", "CategoryRoute")
    routed = set(CategoryRoute.objects.values_list("category", flat=True))
    # Only the departments a missing route needs: an installation whose administrator renamed one
    # must not get a second, unused department in every list.
    orders = dict(DEPARTMENTS)
    for category, name in ROUTES.items():
        if category not in routed:
            department, _created = Department.objects.get_or_create(
                name=name, defaults={"order": orders[name]}
            )
            CategoryRoute.objects.create(category=category, department=department)


class Migration(migrations.Migration):
    dependencies = [("projects", "0002_roles_and_defaults")]

    # Reversing keeps the rows: they may have issues and staff attached by then.
    operations = [migrations.RunPython(create_routes, migrations.RunPython.noop)]
