"""PRODUCT.md's node templates per project type, and every milestone moved into its project's plan.

A milestone becomes a free node (name, planned and actual dates, note) — nothing of it is lost; the
template nodes are added to each project by `plan_create` (`python manage.py make_plans`), which
keeps the nodes already there. The reverse moves free nodes back into milestones.
"""

from django.db import migrations

# (name, order, responsible department, offset in working days, key node, stage, permit type)
TEMPLATES = {
    "new_build": [
        ("签约", 1, "经济发展局", 0, True, "signed", None),
        ("立项备案", 2, "行政审批局", 20, True, "preparation", None),
        ("土地摘牌", 3, "自然资源和规划局", 60, True, None, "用地"),
        ("规划许可", 4, "自然资源和规划局", 90, False, None, "规划许可"),
        ("施工许可", 5, "行政审批局", 120, True, None, "施工许可"),
        ("开工", 6, "经济发展局", 130, True, "construction", None),
        ("主体封顶", 7, None, 250, False, None, None),
        ("设备进场", 8, None, 300, False, None, None),
        ("竣工验收", 9, "行政审批局", 380, True, "completed", None),
        ("投产", 10, "经济发展局", 420, True, "production", None),
    ],
    "expansion": [
        ("签约", 1, "经济发展局", 0, True, "signed", None),
        ("立项备案", 2, "行政审批局", 15, True, "preparation", None),
        ("环评", 3, "行政审批局", 40, False, None, "环评"),
        ("施工许可", 4, "行政审批局", 60, True, None, "施工许可"),
        ("开工", 5, "经济发展局", 70, True, "construction", None),
        ("设备安装调试", 6, None, 150, False, None, None),
        ("竣工验收", 7, "行政审批局", 200, True, "completed", None),
        ("投产", 8, "经济发展局", 220, True, "production", None),
    ],
    "infrastructure": [
        ("立项备案", 1, "行政审批局", 0, True, "preparation", None),
        ("用地", 2, "自然资源和规划局", 40, True, None, "用地"),
        ("规划许可", 3, "自然资源和规划局", 70, False, None, "规划许可"),
        ("施工许可", 4, "行政审批局", 100, True, None, "施工许可"),
        ("开工", 5, "经济发展局", 110, True, "construction", None),
        ("主体完工", 6, None, 300, False, None, None),
        ("竣工验收", 7, "行政审批局", 360, True, "completed", None),
    ],
}
# Free nodes from milestones come after the template's nodes until the plan is renumbered.
MILESTONE_ORDER = 100


def forwards(apps, schema_editor):
    NodeTemplate = apps.get_model("projects", "NodeTemplate")
    Department = apps.get_model("projects", "Department")
    PermitType = apps.get_model("projects", "PermitType")
    Milestone = apps.get_model("projects", "Milestone")
    PlanNode = apps.get_model("projects", "PlanNode")
    for project_type, nodes in TEMPLATES.items():
        for name, order, department, offset, is_key, stage, permit in nodes:
            NodeTemplate.objects.get_or_create(
                project_type=project_type,
                name=name,
                defaults={
                    "order": order,
                    "department": Department.objects.filter(name=department).first() if department else None,
                    "offset_days": offset,
                    "is_key": is_key,
                    "stage": stage or "",
                    "permit_type": PermitType.objects.filter(name=permit).first() if permit else None,
                },
            )
    nodes = [
        PlanNode(
            project_id=milestone.project_id,
            name=milestone.name,
            order=MILESTONE_ORDER,
            planned_date=milestone.planned_date,
            actual_date=milestone.actual_date,
            note=milestone.note,
        )
        for milestone in Milestone.objects.order_by("project_id", "planned_date", "pk").iterator()
    ]
    PlanNode.objects.bulk_create(nodes, batch_size=1000)


def backwards(apps, schema_editor):
    Milestone = apps.get_model("projects", "Milestone")
    PlanNode = apps.get_model("projects", "PlanNode")
    free = PlanNode.objects.filter(stage="", permit_type__isnull=True)
    Milestone.objects.bulk_create(
        Milestone(
            project_id=node.project_id,
            name=node.name,
            planned_date=node.planned_date,
            actual_date=node.actual_date,
            note=node.note,
        )
        for node in free.iterator()
    )
    PlanNode.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("projects", "0008_plans_nodes")]
    operations = [migrations.RunPython(forwards, backwards)]
