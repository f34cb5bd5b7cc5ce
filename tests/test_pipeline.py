"""The pipeline (四库五率): stages before listing, their dates, the figures by value, the drill-down."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from projects.models import Enterprise, Project, Stage
from projects.pipeline import pipeline_figures, pipeline_with_parks
from projects.services.progress import project_record_stage_date

pytestmark = pytest.mark.django_db

Y = 2025
D = datetime.date


def _project(zone, code, stage, park=None, **dates):
    return Project.objects.create(
        code=code,
        name=f"项目{code}",
        enterprise=Enterprise.objects.get_or_create(name=f"企业{code}")[0],
        park=park or zone.park_a,
        total_investment=Decimal("1000"),
        stage=stage,
        **dates,
    )


@pytest.fixture
def pipeline_zone(zone):
    """Besides the zone's two projects (no signing date: not in the cohort, counted in the stock):

    park A: N1 negotiating; S1 signed 2025-03; F1 filed (signed 2024-11, filed 2025-02);
            C1 started without a recorded filing (signed 2024-05, started 2025-04);
            P1 in production (signed 2024-01 … production 2025-05);
            OLD signed in 2023 and started (outside the cohort);
            LATE signed 2025-07 (after the cut-off 2025-06-30).
    park B: S2 signed 2025-01; F2 filed 2025-07 (after the cut-off: only signed by then).
    """
    _project(zone, "N1", Stage.NEGOTIATING)
    _project(zone, "S1", Stage.SIGNED, signed_on=D(Y, 3, 1))
    _project(zone, "F1", Stage.PREPARATION, signed_on=D(Y - 1, 11, 5), filed_on=D(Y, 2, 1))
    _project(zone, "C1", Stage.CONSTRUCTION, signed_on=D(Y - 1, 5, 1), actual_start=D(Y, 4, 1))
    _project(
        zone,
        "P1",
        Stage.PRODUCTION,
        signed_on=D(Y - 1, 1, 10),
        filed_on=D(Y - 1, 3, 1),
        actual_start=D(Y - 1, 5, 1),
        actual_completion=D(Y, 3, 1),
        production_date=D(Y, 5, 20),
    )
    _project(zone, "OLD", Stage.CONSTRUCTION, signed_on=D(Y - 2, 6, 1), actual_start=D(Y - 1, 1, 1))
    _project(zone, "LATE", Stage.SIGNED, signed_on=D(Y, 7, 2))
    _project(zone, "S2", Stage.SIGNED, park=zone.park_b, signed_on=D(Y, 1, 15))
    _project(zone, "F2", Stage.PREPARATION, park=zone.park_b, signed_on=D(Y, 1, 20), filed_on=D(Y, 7, 1))
    return zone


def test_pipeline_in_dashboard_json_by_value(pipeline_zone, login):
    response = login(pipeline_zone.coordinator).get(reverse("dashboard_json"), {"year": Y, "month": 6})
    assert response.status_code == 200
    pipeline = response.json()["pipeline"]
    # Cohort (signed 2024-01-01 … 2025-06-30): S1, F1, C1, P1, S2, F2 = 6.
    # Filed by the cut-off: F1, C1 (started ⇒ filed), P1 = 3. Started: C1, P1. Completed: P1.
    # Producing: P1.
    assert pipeline == {
        "signed": 6,
        "filed": 3,
        "started": 2,
        "completed": 1,
        "producing": 1,
        "filed_rate": 50.0,
        "started_rate": 66.7,
        "completed_rate": 50.0,
        "producing_rate": 100.0,
        "signed_started_rate": 33.3,
        # Now: N1; S1, LATE, S2; F1, F2 and the zone's project_b; C1, OLD and project_a; P1.
        "stock": {
            "negotiating": 1,
            "signed": 3,
            "preparation": 3,
            "construction": 3,
            "completed": 0,
            "production": 1,
        },
    }
    by_park = {row["park"]: row for row in response.json()["pipeline_by_park"]}
    assert (by_park["航空航天产业园"]["signed"], by_park["航空航天产业园"]["filed"]) == (4, 3)
    assert (
        by_park["高校园区"]["signed"],
        by_park["高校园区"]["filed"],
        by_park["高校园区"]["filed_rate"],
    ) == (
        2,
        0,
        0.0,
    )


@pytest.mark.parametrize("month", [1, 6, 12])
def test_the_zone_figures_are_the_parks_sums_and_the_zones_own_count(pipeline_zone, month):
    zone_figures, parks = pipeline_with_parks(Project.objects.all(), year=Y, month=month)
    assert zone_figures == pipeline_figures(Project.objects.all(), year=Y, month=month)
    assert zone_figures["signed"] == sum(park["signed"] for park in parks) > 0


def test_rates_over_nothing_are_null(zone, login):
    pipeline = (
        login(zone.coordinator).get(reverse("dashboard_json"), {"year": Y, "month": 6}).json()["pipeline"]
    )
    assert pipeline["signed"] == 0
    assert pipeline["filed_rate"] is None and pipeline["signed_started_rate"] is None


def test_pipeline_figures_drill_down_to_their_projects(pipeline_zone, login):
    client = login(pipeline_zone.coordinator)
    page = client.get(reverse("dashboard"), {"year": Y, "month": 6})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="pipeline-by-park"' in html
    listing = client.get(reverse("project_list"), {"pipeline": "filed", "pipeline_year": Y, "month": 6})
    codes = {p.code for p in listing.context["page"].object_list}
    assert codes == {"F1", "C1", "P1"}
    signed_b = client.get(
        reverse("project_list"),
        {"pipeline": "signed", "pipeline_year": Y, "month": 6, "park": pipeline_zone.park_b.pk},
    )
    assert {p.code for p in signed_b.context["page"].object_list} == {"S2", "F2"}
    # The drill-down link of the zone's "filed" cell is in the page.
    assert "pipeline=filed" in html


def test_a_grid_worker_counts_only_his_parks(pipeline_zone, login):
    pipeline = (
        login(pipeline_zone.grid_b).get(reverse("dashboard_json"), {"year": Y, "month": 6}).json()["pipeline"]
    )
    assert (pipeline["signed"], pipeline["filed"], pipeline["stock"]["preparation"]) == (2, 0, 2)


def test_the_stage_never_contradicts_the_dates(zone):
    with transaction.atomic(), pytest.raises(IntegrityError):
        _project(zone, "X1", Stage.NEGOTIATING, signed_on=D(Y, 1, 1))
    with transaction.atomic(), pytest.raises(IntegrityError):
        _project(zone, "X2", Stage.SIGNED, filed_on=D(Y, 1, 1))
    with transaction.atomic(), pytest.raises(IntegrityError):
        _project(zone, "X3", Stage.SIGNED, actual_start=D(Y, 1, 1))


def test_signing_and_filing_move_the_stage_forward(zone):
    project = _project(zone, "T1", Stage.NEGOTIATING)
    project_record_stage_date(
        project=project,
        by=zone.grid,
        stage=Stage.SIGNED,
        date=D(2025, 3, 1),
        expected_version=project.version,
    )
    assert (project.stage, project.signed_on) == (Stage.SIGNED, D(2025, 3, 1))
    with pytest.raises(ValidationError) as error:
        project_record_stage_date(
            project=project, by=zone.grid, stage=Stage.PREPARATION, date=D(2025, 2, 1), expected_version=None
        )
    assert "date" in error.value.message_dict  # before the signing
    project_record_stage_date(
        project=project, by=zone.grid, stage=Stage.PREPARATION, date=D(2025, 4, 1), expected_version=None
    )
    project.refresh_from_db()
    assert (project.stage, project.filed_on) == (Stage.PREPARATION, D(2025, 4, 1))
    assert project.progress_notes.filter(stage_to=Stage.PREPARATION).exists()


def test_a_started_project_may_have_its_filing_filled_in_but_not_moved_back(zone):
    project = zone.project_a  # under construction, started on 10 February
    project_record_stage_date(
        project=project,
        by=zone.grid,
        stage=Stage.PREPARATION,
        date=D(zone.year, 1, 5),
        expected_version=project.version,
    )
    project.refresh_from_db()
    assert (project.stage, project.filed_on) == (Stage.CONSTRUCTION, D(zone.year, 1, 5))
    with pytest.raises(ValidationError):  # a filing after the start contradicts the dates
        project_record_stage_date(
            project=project,
            by=zone.grid,
            stage=Stage.PREPARATION,
            date=D(zone.year, 3, 1),
            expected_version=None,
        )


def test_sign_page_for_who_may_log_progress(zone, login):
    project = _project(zone, "T2", Stage.NEGOTIATING)
    url = reverse("project_sign", args=[project.pk])
    assert login(zone.dept).get(url).status_code in (403, 404)
    client = login(zone.grid)
    data = {"sign-date": "2025-03-01", "sign-version": project.version}
    preview = client.post(url, data)  # first the confirmation of what changes
    assert preview.status_code == 200
    project.refresh_from_db()
    assert project.stage == Stage.NEGOTIATING
    response = client.post(url, {**data, "sign-confirm": "signed:2025-03-01"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.stage == Stage.SIGNED


def _import(rows, headers=None):
    import io

    from openpyxl import Workbook

    from projects import ledger

    book = Workbook()
    sheet = book.active
    sheet.append(headers or ledger.LISTING_HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return ledger.ledger_read(buffer)


def test_the_ledger_carries_the_signing_and_filing_dates(zone):
    from openpyxl import load_workbook

    from projects import exports, ledger
    from tests.test_fuzz import valid_row

    row = valid_row(zone, **{ledger.SIGNED_ON: "2025-11-20", ledger.FILED_ON: "2026.1.10"})
    plan = _import([row])
    assert plan.ok, plan.sorted_errors()
    ledger.ledger_apply(plan, by=zone.coordinator)
    project = Project.objects.get(code="P-FUZZ")
    assert (project.signed_on, project.filed_on, project.stage) == (
        D(2025, 11, 20),
        D(2026, 1, 10),
        Stage.PREPARATION,
    )
    assert project.nodes.filter(stage=Stage.SIGNED).exists()  # imported projects get their plan
    # A file without the two columns (an older template) keeps the recorded dates.
    headers = [h for h in ledger.LISTING_HEADERS if h not in (ledger.SIGNED_ON, ledger.FILED_ON)]
    older = _import([[v for h, v in zip(ledger.LISTING_HEADERS, row, strict=True) if h in headers]], headers)
    assert older.ok, older.sorted_errors()
    ledger.ledger_apply(older, by=zone.coordinator)
    project.refresh_from_db()
    assert (project.signed_on, project.filed_on) == (D(2025, 11, 20), D(2026, 1, 10))
    # The export writes them under the template's headers.
    response = exports.ledger_export(Project.objects.filter(pk=project.pk))
    book = load_workbook(io_of(response), read_only=True)
    sheet = book[ledger.LISTINGS_SHEET]
    header, first = list(sheet.iter_rows(max_row=2, values_only=True))
    values = dict(zip(header, first, strict=False))
    assert values[ledger.SIGNED_ON].date() == D(2025, 11, 20) and values[ledger.FILED_ON].date() == D(
        2026, 1, 10
    )
    template = load_workbook(io_of(exports.ledger_template()), read_only=True)
    assert ledger.SIGNED_ON in next(template[ledger.LISTINGS_SHEET].iter_rows(max_row=1, values_only=True))


def io_of(response):
    import io

    return io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
