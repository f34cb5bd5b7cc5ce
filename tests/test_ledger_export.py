"""Excel exports: the project ledger (re-importable), the template, the issue list."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Sum
from django.utils import timezone

from projects.figures import dashboard_figures
from projects.ledger import LISTING_HEADERS, REPORT_HEADERS, ledger_apply, ledger_read
from projects.models import (
    Category,
    Issue,
    IssueStatus,
    Level,
    Listing,
    ListingKind,
    ListingLevel,
    MonthlyReport,
    Project,
    Stage,
)
from tests.ledger_book import read_back
from tests.zone import make_user


def add_history(zone):
    """A second year for project A, a third project without a start, and monthly reports."""
    year = zone.year
    Listing.objects.create(
        project=zone.project_a,
        year=year - 1,
        level=ListingLevel.CITY,
        kind=ListingKind.NEW,
        planned_investment=Decimal("15000.50"),
    )
    third = Project.objects.create(
        code="P-A2",
        name="航空航天新材料项目",
        enterprise=zone.enterprise,
        park=zone.park_a,
        total_investment=Decimal("12000"),
        industry="新材料",
        content="新建厂房",
        stage=Stage.PREPARATION,
    )
    Listing.objects.create(
        project=third,
        year=year,
        level=ListingLevel.DISTRICT,
        kind=ListingKind.CONTINUING,
        planned_investment=Decimal("4000"),
    )
    for project, month, amount in [
        (zone.project_a, 1, "1000"),
        (zone.project_a, 2, "2500.75"),
        (zone.project_b, 2, "300"),
        (third, 1, "150"),
    ]:
        MonthlyReport.objects.create(project=project, year=year, month=month, amount=Decimal(amount))
    MonthlyReport.objects.create(project=zone.project_a, year=year - 1, month=12, amount=Decimal("800"))
    return third


def ledger_figures(year, user):
    figures = dashboard_figures(year=year, month=12, user=user)
    # The ledger is the listed projects (the pipeline's projects in talks or signed are not in it).
    listed = Project.objects.filter(listings__isnull=False).distinct()
    return {
        "projects": listed.count(),
        "listings": Listing.objects.count(),
        "total": Project.objects.filter(pk__in=listed.values("pk")).aggregate(s=Sum("total_investment"))["s"],
        "planned": Listing.objects.aggregate(s=Sum("planned_investment"))["s"],
        "reports": MonthlyReport.objects.aggregate(n=Count("pk"), s=Sum("amount")),
        "started": listed.filter(actual_start__isnull=False).count(),
        "signed_filed": sorted(listed.values_list("code", "signed_on", "filed_on")),
        "stages": sorted(listed.values_list("code", "stage")),
        "dashboard": {
            key: figures[key]
            for key in (
                "projects",
                "new_projects",
                "new_projects_started",
                "start_rate",
                "planned_investment",
                "completed_investment",
                "projects_over_100m",
            )
        },
    }


def empty_the_database():
    """Every table emptied inside the test's transaction (rolled back afterwards)."""
    if connection.vendor == "postgresql":
        # TRUNCATE refuses while this transaction's deferred foreign-key checks are pending.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db
def test_export_then_import_into_an_empty_database_gives_the_same_figures(zone, login):
    add_history(zone)
    response = login(zone.coordinator).get("/projects/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    content = b"".join(response.streaming_content)
    before = ledger_figures(zone.year, zone.superuser)
    sheets = read_back(content)
    assert list(sheets["项目清单"][0]) == LISTING_HEADERS
    assert list(sheets["月度投资"][0]) == REPORT_HEADERS
    assert len(sheets["项目清单"]) == 1 + 4 and len(sheets["月度投资"]) == 1 + 5

    empty_the_database()
    assert not Project.objects.exists()
    superuser = make_user("root", superuser=True)

    plan = ledger_read(io.BytesIO(content), create_unknown=True)
    assert plan.errors == []
    assert plan.counts["project:created"] == 3
    ledger_apply(plan, by=None)
    assert ledger_figures(zone.year, superuser) == before

    # And the import of the export is a fixed point: exporting again gives the same rows.
    response = login(superuser).get("/projects/export.xlsx")
    assert read_back(b"".join(response.streaming_content)) == sheets
    assert ledger_read(io.BytesIO(content)).changes == []


@pytest.mark.django_db
def test_exporting_and_reimporting_the_same_zone_changes_nothing(zone, login):
    add_history(zone)
    content = b"".join(login(zone.admin).get("/projects/export.xlsx").streaming_content)
    plan = ledger_read(io.BytesIO(content))
    assert plan.errors == [] and plan.changes == []


@pytest.mark.django_db
def test_export_has_only_the_visible_projects(zone, login):
    add_history(zone)
    sheets = read_back(b"".join(login(zone.grid_b).get("/projects/export.xlsx").streaming_content))
    assert {row[0] for row in sheets["项目清单"][1:]} == {"P-B1"}
    assert {row[0] for row in sheets["月度投资"][1:]} == {"P-B1"}
    sheets = read_back(b"".join(login(zone.nobody).get("/projects/export.xlsx").streaming_content))
    assert sheets["项目清单"][1:] == [] and sheets["月度投资"][1:] == []


@pytest.mark.django_db
def test_export_follows_the_list_filters(zone, login):
    add_history(zone)
    client = login(zone.coordinator)
    sheets = read_back(b"".join(client.get(f"/projects/export.xlsx?park={zone.park_a.pk}").streaming_content))
    assert sorted((row[0], row[4]) for row in sheets["项目清单"][1:]) == [
        ("P-A1", zone.year - 1),
        ("P-A1", zone.year),
        ("P-A2", zone.year),
    ]
    # A year keeps that year's rows and reports only.
    sheets = read_back(b"".join(client.get(f"/projects/export.xlsx?year={zone.year - 1}").streaming_content))
    assert [(row[0], row[4]) for row in sheets["项目清单"][1:]] == [("P-A1", zone.year - 1)]
    assert [row[:3] for row in sheets["月度投资"][1:]] == [("P-A1", zone.year - 1, 12)]
    # Bad filter values never give an error page.
    assert client.get("/projects/export.xlsx?year=abc&park=zz&light=purple").status_code == 200


@pytest.mark.django_db
def test_export_query_count_does_not_grow_with_the_rows(zone, login, django_assert_num_queries):
    add_history(zone)
    client = login(zone.coordinator)
    client.get("/projects/export.xlsx")  # warm the session and the profile

    def queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            response = client.get("/projects/export.xlsx")
            b"".join(response.streaming_content)
        return len(captured)

    few = queries()
    for i in range(20):
        project = Project.objects.create(
            code=f"N-{i:03d}",
            name=f"项目{i}",
            enterprise=zone.enterprise,
            park=zone.park_b,
            total_investment=Decimal(1000 + i),
            leader=zone.leader.staff,
            grid_worker=zone.grid_b.staff,
            lead_department=zone.edb,
        )
        Listing.objects.create(
            project=project, year=zone.year, level="city", kind="new", planned_investment=Decimal(100)
        )
        MonthlyReport.objects.create(project=project, year=zone.year, month=1, amount=Decimal(5))
    assert queries() == few


@pytest.mark.django_db
def test_template_download_has_headers_example_and_notes(zone, login):
    response = login(zone.grid).get("/ledger/template.xlsx")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    sheets = read_back(content)
    assert list(sheets["项目清单"][0]) == LISTING_HEADERS
    assert len(sheets["项目清单"]) == 2
    assert list(sheets["月度投资"][0]) == REPORT_HEADERS
    assert len(sheets["说明"]) > 5
    # The example row is itself a valid ledger.
    assert ledger_read(io.BytesIO(content), create_unknown=True).errors == []


ISSUE_HEADERS = 15


@pytest.mark.django_db
def test_issue_export_lists_the_visible_issues_with_their_columns(zone, login):
    now = timezone.now()
    overdue = Issue.objects.create(
        project=zone.project_a,
        category=Category.HIRING,
        description="需要招工",
        level=Level.COORDINATION,
        department=zone.edb,
        raised_at=now - datetime.timedelta(days=30),
        deadline=timezone.localdate() - datetime.timedelta(days=3),
    )
    Issue.objects.create(
        project=zone.project_b,
        category=Category.LAND,
        description="用地指标",
        status=IssueStatus.RESOLVED,
        resolution="已解决",
        raised_at=now - datetime.timedelta(days=10),
        resolved_at=now,
    )
    response = login(zone.coordinator).get("/issues/export.xlsx")
    assert response.status_code == 200
    (rows,) = read_back(b"".join(response.streaming_content)).values()
    assert len(rows[0]) == ISSUE_HEADERS and len(rows) == 3
    first = {row[0]: row for row in rows[1:]}[overdue.pk]
    assert "P-A1" in first[1] and first[5] == "经济发展局" and first[11] == "需要招工"
    assert first[8] not in (None, "") and first[8] != rows[2][8]  # overdue yes vs no

    # A grid worker of the other park sees none of project A's issues.
    (rows,) = read_back(b"".join(login(zone.grid_b).get("/issues/export.xlsx").streaming_content)).values()
    assert [row[11] for row in rows[1:]] == ["用地指标"]
    # The list's filters apply.
    client = login(zone.coordinator)
    (rows,) = read_back(
        b"".join(client.get(f"/issues/export.xlsx?status={IssueStatus.RESOLVED}").streaming_content)
    ).values()
    assert [row[11] for row in rows[1:]] == ["用地指标"]


@pytest.mark.django_db
def test_the_demo_zone_exported_and_imported_into_an_empty_database_gives_the_same_figures(login):
    """Issue 4's "done when": the article's demo zone survives export → empty database → import."""
    from projects.demo import load_demo

    load_demo()
    root = make_user("root-exporter", superuser=True)
    content = b"".join(login(root).get("/projects/export.xlsx").streaming_content)
    years = sorted(set(Listing.objects.values_list("year", flat=True)))
    before = {year: ledger_figures(year, root) for year in years}
    assert Project.objects.count() > 10 and MonthlyReport.objects.exists()

    empty_the_database()
    superuser = make_user("root", superuser=True)
    plan = ledger_read(io.BytesIO(content), create_unknown=True)
    assert plan.errors == []
    ledger_apply(plan, by=None)
    after = {year: ledger_figures(year, superuser) for year in years}
    for year in years:
        # The stage column brings a completed or producing project back at its stage.
        for key in before[year]:
            assert after[year][key] == before[year][key], (year, key)


@pytest.mark.django_db
def test_a_project_never_listed_is_not_in_the_ledger(zone, login):
    unlisted = Project.objects.create(
        code="U-1", name="未列入项目", enterprise=zone.enterprise, park=zone.park_a, total_investment=1
    )
    MonthlyReport.objects.create(project=unlisted, year=zone.year, month=1, amount=Decimal(5))
    content = b"".join(login(zone.coordinator).get("/projects/export.xlsx").streaming_content)
    sheets = read_back(content)
    assert "U-1" not in {row[0] for rows in sheets.values() for row in rows[1:]}
    assert ledger_read(io.BytesIO(content)).errors == []
