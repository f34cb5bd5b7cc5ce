"""The filing (立项备案) has one source, the project's filed_on (issue #15): approving the 立项备案
permit records it through the stage-date service, recording it approves the permit, changing or
withdrawing a recorded one is a correction a coordinator approves; the pipeline counts it once."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.ledger import ledger_apply, ledger_read
from projects.models import Enterprise, Permit, PermitStatus, PermitType, ProgressNote, Project, Stage
from projects.pipeline import pipeline_figures
from projects.services.progress import project_record_stage_date
from projects.services.stage_corrections import stage_correction_decide, stage_correction_request
from tests.ledger_book import build, listing
from tests.test_permits import checklist_data, permits_url

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def signed(zone):
    """A project of park A signed on 5 January, not filed yet."""
    return Project.objects.create(
        code="S-1",
        name="签约项目",
        enterprise=Enterprise.objects.get_or_create(name="签约企业")[0],
        park=zone.park_a,
        total_investment=Decimal("5000"),
        stage=Stage.SIGNED,
        signed_on=D(zone.year, 1, 5),
    )


def filing_permit(project):
    return Permit.objects.filter(project=project, permit_type__name="立项备案").first()


def figures(zone):
    return pipeline_figures(Project.objects.all(), year=zone.year, month=12)


def approve_on_the_checklist(client, project, confirm="", **fields):
    response = client.get(permits_url(project))
    data = checklist_data(response, {"立项备案": fields})
    return client.post(permits_url(project), {**data, "confirm": confirm})


def test_approving_the_filing_permit_records_the_filing_and_the_pipeline_counts_it(zone, login, signed):
    assert (figures(zone)["signed"], figures(zone)["filed"]) == (1, 0)
    day = D(zone.year, 2, 3)
    client = login(zone.grid)
    fields = {
        "status": PermitStatus.APPROVED,
        "applied_on": D(zone.year, 1, 20).isoformat(),
        "approved_on": day.isoformat(),
    }
    # The approval moves the stage: the stage page's confirmation first, nothing saved.
    response = approve_on_the_checklist(client, signed, **fields)
    html = response.content.decode()
    assert response.status_code == 200 and "签约 → <strong>前期</strong>" in html
    assert filing_permit(signed) is None and Project.objects.get(pk=signed.pk).filed_on is None
    response = approve_on_the_checklist(client, signed, confirm=f"preparation:{day}", **fields)
    assert response.status_code == 302
    signed.refresh_from_db()
    assert (signed.stage, signed.filed_on, signed.version) == (Stage.PREPARATION, day, 2)
    assert filing_permit(signed).approved_on == day
    note = ProgressNote.objects.get(project=signed)
    assert (note.stage_from, note.stage_to) == (Stage.SIGNED, Stage.PREPARATION)
    result = figures(zone)
    assert (result["signed"], result["filed"], result["filed_rate"]) == (1, 1, 100.0)
    assert result["stock"]["signed"] == 0 and result["stock"]["preparation"] == 2  # with project B


def test_recording_the_filing_approves_the_permit(zone, signed):
    day = D(zone.year, 2, 3)
    project_record_stage_date(
        project=signed, by=zone.grid, stage=Stage.PREPARATION, date=day, expected_version=1
    )
    permit = filing_permit(signed)
    assert (permit.status, permit.approved_on, permit.handler) == (
        PermitStatus.APPROVED,
        day,
        zone.grid.staff,
    )
    assert figures(zone)["filed"] == 1


def test_a_recorded_filing_is_not_changed_nor_withdrawn_on_the_checklist(zone, login, signed):
    day = D(zone.year, 2, 3)
    project_record_stage_date(
        project=signed, by=zone.grid, stage=Stage.PREPARATION, date=day, expected_version=1
    )
    client = login(zone.grid)
    for change in (
        {
            "status": PermitStatus.IN_PROGRESS,
            "approved_on": "",
            "applied_on": D(zone.year, 1, 20).isoformat(),
        },
        {"status": PermitStatus.APPROVED, "approved_on": D(zone.year, 2, 10).isoformat()},
    ):
        response = approve_on_the_checklist(client, signed, **change)
        assert response.status_code == 400
        assert "更正" in response.content.decode()  # a correction a coordinator approves
        signed.refresh_from_db()
        assert signed.filed_on == day and filing_permit(signed).approved_on == day
    assert figures(zone)["filed"] == 1


def test_an_approval_the_stage_rules_refuse_saves_nothing(zone, login):
    """Project A started on 10 February: its filing cannot come after the start."""
    response = approve_on_the_checklist(
        login(zone.grid), zone.project_a, status=PermitStatus.APPROVED,
        approved_on=(zone.project_a.actual_start + datetime.timedelta(days=3)).isoformat(),
    )  # fmt: skip
    assert response.status_code == 400
    assert filing_permit(zone.project_a) is None
    assert Project.objects.get(pk=zone.project_a.pk).filed_on is None


@pytest.mark.parametrize(("persona", "status"), [("leader", 403), ("supervisor", 403), ("grid_b", 404)])
def test_who_may_not_log_progress_cannot_approve_the_filing(zone, login, signed, persona, status):
    client = login(getattr(zone, persona))
    data = {
        "version": "1",
        f"permit-{PermitType.objects.get(name='立项备案').pk}-status": PermitStatus.APPROVED,
    }
    assert client.post(permits_url(signed), data).status_code == status
    assert Project.objects.get(pk=signed.pk).filed_on is None and filing_permit(signed) is None


def test_an_approved_correction_moves_or_withdraws_the_approval_with_the_filing(zone, signed):
    day, right = D(zone.year, 2, 3), D(zone.year, 2, 13)
    project_record_stage_date(
        project=signed, by=zone.grid, stage=Stage.PREPARATION, date=day, expected_version=1
    )

    moved = stage_correction_request(
        project=signed, by=zone.grid, field="filed_on", new_date=right, reason="录错日期"
    )
    stage_correction_decide(correction=moved, by=zone.coordinator, approve=True)
    assert filing_permit(signed).approved_on == right
    assert Project.objects.get(pk=signed.pk).filed_on == right

    cleared = stage_correction_request(
        project=signed, by=zone.grid, field="filed_on", new_date=None, reason="尚未备案"
    )
    stage_correction_decide(correction=cleared, by=zone.coordinator, approve=True)
    signed.refresh_from_db()
    permit = filing_permit(signed)
    assert (signed.filed_on, signed.stage) == (None, Stage.SIGNED)
    assert (permit.status, permit.approved_on) == (PermitStatus.NOT_STARTED, None)
    result = figures(zone)
    assert (result["signed"], result["filed"], result["filed_rate"]) == (1, 0, 0.0)


def test_a_stage_correction_page_approval_keeps_the_permit_in_step(zone, login, signed):
    project_record_stage_date(
        project=signed, by=zone.grid, stage=Stage.PREPARATION, date=D(zone.year, 2, 3), expected_version=1
    )
    correction = stage_correction_request(
        project=signed, by=zone.grid, field="filed_on", new_date=D(zone.year, 2, 1), reason="录错日期"
    )
    response = login(zone.coordinator).post(
        reverse("stage_correction_decide", args=[correction.pk]), {"approve": "1", "note": ""}
    )
    assert response.status_code == 302
    assert filing_permit(signed).approved_on == Project.objects.get(pk=signed.pk).filed_on


def test_the_ledger_filing_date_approves_the_permit_and_a_later_application_is_a_bad_cell(zone):
    plan = ledger_read(build([listing(cells={"立项备案日期": D(2025, 2, 1)})]), create_unknown=True)
    ledger_apply(plan, by=None)
    project = Project.objects.get(code="L-001")
    assert (project.filed_on, filing_permit(project).approved_on) == (D(2025, 2, 1), D(2025, 2, 1))

    Permit.objects.filter(pk=filing_permit(project).pk).update(applied_on=D(2025, 1, 20))
    plan = ledger_read(build([listing(cells={"立项备案日期": D(2025, 1, 10)})]), create_unknown=True)
    assert "立项备案日期" in {p.header for p in plan.errors}


def test_the_migration_brings_existing_rows_in_step(zone, signed):
    from importlib import import_module

    from django.apps import apps

    forwards = import_module("projects.migrations.0015_entries_filing_permit").forwards
    filing = PermitType.objects.get(name="立项备案")
    # An approval without the filing date, and a filing date without the approval.
    Permit.objects.create(
        project=signed, permit_type=filing, status=PermitStatus.APPROVED, approved_on=D(zone.year, 2, 3)
    )
    Project.objects.filter(pk=zone.project_b.pk).update(filed_on=D(zone.year, 1, 8))
    # An approval after the start contradicts the start: left as it is.
    Permit.objects.create(
        project=zone.project_a,
        permit_type=filing,
        status=PermitStatus.APPROVED,
        approved_on=D(zone.year, 3, 1),
    )
    forwards(apps, None)
    signed.refresh_from_db()
    assert (signed.filed_on, signed.stage) == (D(zone.year, 2, 3), Stage.PREPARATION)
    assert filing_permit(zone.project_b).approved_on == D(zone.year, 1, 8)
    assert Project.objects.get(pk=zone.project_a.pk).filed_on is None
