"""Signing and filing dates are corrected like the other stage dates (StageCorrection.field).

One source for the filing (立项备案): the project's filed_on, which the 立项备案 permit's approval
follows (services.progress.filing_permit_follow). Existing rows are brought in step once:
- an approved 立项备案 permit whose project has no filing date gives it one (the stage moves to
  preparation from negotiating or signed), unless that date contradicts the signing or the start;
- a recorded filing date approves the permit on that date (created if missing), unless its
  application came later.
Nothing else changes; the history of each row is not rewritten.
"""

from django.db import migrations, models

FILING_PERMIT = "立项备案"
EARLY_STAGES = ("negotiating", "signed")


def forwards(apps, schema_editor):
    PermitType = apps.get_model("projects", "PermitType")
    Permit = apps.get_model("projects", "Permit")
    Project = apps.get_model("projects", "Project")
    permit_type = PermitType.objects.filter(name=FILING_PERMIT).first()
    if permit_type is None:
        return
    approved = Permit.objects.filter(
        permit_type=permit_type, status="approved", approved_on__isnull=False, project__filed_on__isnull=True
    ).select_related("project")
    for permit in approved:
        project, day = permit.project, permit.approved_on
        if (project.signed_on and day < project.signed_on) or (
            project.actual_start and day > project.actual_start
        ):
            continue
        project.filed_on = day
        if project.stage in EARLY_STAGES:
            project.stage = "preparation"
        project.save(update_fields=["filed_on", "stage"])
    permits = {p.project_id: p for p in Permit.objects.filter(permit_type=permit_type)}
    for project in Project.objects.filter(filed_on__isnull=False):
        permit = permits.get(project.pk) or Permit(project=project, permit_type=permit_type)
        if permit.status == "approved" and permit.approved_on == project.filed_on:
            continue
        if permit.applied_on and permit.applied_on > project.filed_on:
            continue
        permit.status, permit.approved_on = "approved", project.filed_on
        permit.save()


class Migration(migrations.Migration):
    dependencies = [("projects", "0014_reminders_channels")]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="historicalstagecorrection",
            name="field",
            field=models.CharField(
                choices=[
                    ("signed_on", "signing date"),
                    ("filed_on", "filing date (立项备案)"),
                    ("actual_start", "actual start"),
                    ("actual_completion", "actual completion"),
                    ("production_date", "production date"),
                ],
                max_length=20,
                verbose_name="date",
            ),
        ),
        migrations.AlterField(
            model_name="stagecorrection",
            name="field",
            field=models.CharField(
                choices=[
                    ("signed_on", "signing date"),
                    ("filed_on", "filing date (立项备案)"),
                    ("actual_start", "actual start"),
                    ("actual_completion", "actual completion"),
                    ("production_date", "production date"),
                ],
                max_length=20,
                verbose_name="date",
            ),
        ),
    ]
