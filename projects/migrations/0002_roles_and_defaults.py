"""The roles, the default service rules and PRODUCT.md's permit checklist."""

from django.db import migrations

ROLES = ["grid_worker", "department", "coordinator", "leader", "supervisor", "administrator"]
# (name, stage from which the project needs it approved) — PRODUCT.md "Permits".
PERMIT_TYPES = [
    ("立项备案", "construction"),
    ("用地", "construction"),
    ("规划许可", "construction"),
    ("施工许可", "construction"),
    ("环评", "construction"),
    ("能评", ""),
    ("消防验收", "completed"),
    ("竣工验收", "completed"),
]


def create_defaults(apps, schema_editor):
    Role = apps.get_model("projects", "Role")
    Rules = apps.get_model("projects", "Rules")
    PermitType = apps.get_model("projects", "PermitType")
    for code in ROLES:
        Role.objects.get_or_create(code=code)
    Rules.objects.get_or_create(pk=1)
    for order, (name, required_from) in enumerate(PERMIT_TYPES, start=1):
        PermitType.objects.get_or_create(name=name, defaults={"order": order, "required_from": required_from})


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
