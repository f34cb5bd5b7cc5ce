"""Department accountability (部门红黄码): `by_department` in /dashboard.json by value on a
hand-built zone, the grid workers' table, satisfaction by category, the tab and its links."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.accountability import DEPARTMENT_KEYS, by_department, by_grid_worker, satisfaction
from projects.models import (
    ApprovalRequest,
    Issue,
    IssueStatus,
    Level,
    Listing,
    ListingKind,
    ListingLevel,
    MonthlyReport,
    Project,
    Rules,
    Visit,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
D = datetime.date
TODAY = D(2024, 6, 20)


def at(day, hour=9):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)


@pytest.fixture
def ledger(zone):
    """May 2024 (the Labour Day holiday 1–5 May and the make-up Saturday 11 May in it):

    行政审批局 (project A, grid's park): A1 answered the next day, resolved before its deadline,
    closed satisfied; A2 answered after 4 working days, resolved after its deadline, closed not
    satisfied; A3 never answered, overdue, one approved extension (and one pending). A4 raised
    after May and A5 withdrawn do not count.
    自然资源和规划局 (project B, grid_b's park): L1 answered the same day and resolved the next;
    L2 solved on site (left out of the median), closed satisfied, without a deadline.
    """
    z = zone
    land = z.departments["自然资源和规划局"]
    for project in (z.project_a, z.project_b):
        Listing.objects.create(
            project=project, year=2024, level=ListingLevel.CITY, kind=ListingKind.NEW, planned_investment=100
        )

    def issue(project, department, raised, category="permits", **fields):
        status = fields.pop("status", IssueStatus.OPEN)
        if status in (IssueStatus.RESOLVED, IssueStatus.CLOSED):
            fields.setdefault("resolution", "已解决")
        if status == IssueStatus.CLOSED:
            fields.setdefault("feedback", "已反馈")
        return Issue.objects.create(
            project=project, department=department, category=category, description="诉求",
            level=Level.GRID_HELP, status=status, raised_at=at(raised), **fields,
        )  # fmt: skip

    z.a1 = issue(
        z.project_a, z.approval, D(2024, 5, 6), first_response_at=at(D(2024, 5, 7)),
        resolved_at=at(D(2024, 5, 10), 16), deadline=D(2024, 5, 13), status=IssueStatus.CLOSED,
        satisfaction="satisfied",
    )  # fmt: skip
    z.a2 = issue(
        z.project_a, z.approval, D(2024, 5, 8), first_response_at=at(D(2024, 5, 13)),
        resolved_at=at(D(2024, 5, 20), 16), deadline=D(2024, 5, 15), status=IssueStatus.CLOSED,
        satisfaction="not_satisfied",
    )  # fmt: skip
    z.a3 = issue(z.project_a, z.approval, D(2024, 5, 20), deadline=D(2024, 6, 1))
    for status in (ApprovalRequest.Status.APPROVED, ApprovalRequest.Status.PENDING):
        ApprovalRequest.objects.create(
            issue=z.a3,
            kind=ApprovalRequest.Kind.EXTENSION,
            new_deadline=D(2024, 6, 1),
            reason="等待",
            status=status,
        )
    issue(z.project_a, z.approval, D(2024, 6, 3), deadline=D(2024, 6, 5))  # after the cut-off
    issue(z.project_a, z.approval, D(2024, 4, 1), deadline=D(2024, 4, 2), withdrawn_at=at(D(2024, 4, 2)))
    z.l1 = issue(
        z.project_b, land, D(2024, 3, 4), category="land", first_response_at=at(D(2024, 3, 4), 15),
        resolved_at=at(D(2024, 3, 5)), deadline=D(2024, 3, 11), status=IssueStatus.RESOLVED,
    )  # fmt: skip
    z.l2 = issue(
        z.project_b, land, D(2024, 2, 1), category="land", first_response_at=at(D(2024, 2, 1), 10),
        resolved_at=at(D(2024, 2, 1), 11), solved_on_site=True, status=IssueStatus.CLOSED,
        satisfaction="satisfied",
    )  # fmt: skip
    # grid: one visit in May (another withdrawn), none since 21 May; May reported for project A.
    Visit.objects.create(project=z.project_a, date=D(2024, 5, 15), summary="走访", recorded_by=z.grid.staff)
    Visit.objects.create(
        project=z.project_a, date=D(2024, 5, 16), summary="走访", recorded_by=z.grid.staff,
        withdrawn_at=at(D(2024, 5, 16)),
    )  # fmt: skip
    MonthlyReport.objects.create(project=z.project_a, year=2024, month=5, amount=Decimal(10))
    z.land = land
    return z


def test_by_department_by_value(ledger):
    z = ledger
    rows = by_department(year=2024, month=5, user=z.coordinator, today=TODAY, rules=Rules.current())
    assert rows == [
        {
            "department": "自然资源和规划局", "department_id": z.land.pk, "rank": 1,
            "received": 2, "first_response_rate": Decimal("100.0"),
            "resolved": 2, "resolved_on_time": 2, "on_time_rate": Decimal("100.0"),
            "median_days_to_resolve": Decimal("1.0"),  # L1 only: L2 was solved on site
            "overdue": 0, "extensions": 0, "rated": 1, "satisfied": 1, "satisfaction_rate": Decimal("100.0"),
        },
        {
            "department": "行政审批局", "department_id": z.approval.pk, "rank": 2,
            "received": 3, "first_response_rate": Decimal("33.3"),  # A1 only (A2: 4 working days)
            "resolved": 2, "resolved_on_time": 1, "on_time_rate": Decimal("50.0"),
            # A1: 7, 8, 9, 10 May = 4; A2: 9, 10, 11 (make-up Saturday), 13–17, 20 May = 9.
            "median_days_to_resolve": Decimal("6.5"),
            "overdue": 1, "extensions": 1, "rated": 2, "satisfied": 1, "satisfaction_rate": Decimal("50.0"),
        },
    ]  # fmt: skip
    assert set(DEPARTMENT_KEYS) <= set(rows[0])


def test_by_department_in_dashboard_json(ledger, login):
    z = ledger
    data = login(z.coordinator).get("/dashboard.json?year=2024&month=5").json()
    approval = next(row for row in data["by_department"] if row["department"] == "行政审批局")
    assert {key: approval[key] for key in DEPARTMENT_KEYS} == {
        "department": "行政审批局", "department_id": z.approval.pk, "received": 3,
        "first_response_rate": 33.3, "on_time_rate": 50.0, "median_days_to_resolve": 6.5,
        "overdue": 1, "extensions": 1, "satisfaction_rate": 50.0,
    }  # fmt: skip
    assert [row["rank"] for row in data["by_department"]] == [1, 2]
    # Department staff see their department's issues only.
    mine = login(z.dept).get("/dashboard.json?year=2024&month=5").json()["by_department"]
    assert [(row["department"], row["received"]) for row in mine] == [("行政审批局", 3)]


def test_by_grid_worker(ledger):
    z = ledger
    rows = by_grid_worker(year=2024, month=5, user=z.coordinator, today=TODAY, rules=Rules.current())
    summary = [
        {key: row[key] for key in ("grid_worker", "rank", "projects", "visits", "projects_not_visited",
                                   "round_reported", "round_completeness", "received", "overdue",
                                   "on_time_rate", "satisfaction_rate")}
        for row in rows
    ]  # fmt: skip
    assert summary == [
        {"grid_worker": "李网格", "rank": 1, "projects": 1, "visits": 0, "projects_not_visited": 1,
         "round_reported": 0, "round_completeness": Decimal("0.0"), "received": 2, "overdue": 0,
         "on_time_rate": Decimal("100.0"), "satisfaction_rate": Decimal("100.0")},
        {"grid_worker": "王网格", "rank": 2, "projects": 1, "visits": 1, "projects_not_visited": 1,
         "round_reported": 1, "round_completeness": Decimal("100.0"), "received": 3, "overdue": 1,
         "on_time_rate": Decimal("50.0"), "satisfaction_rate": Decimal("50.0")},
    ]  # fmt: skip


def test_satisfaction_overall_and_by_category(ledger):
    result = satisfaction(year=2024, month=5, user=ledger.coordinator)
    overall = ("rated", "satisfied", "partly", "not_satisfied", "satisfaction_rate")
    assert {key: result[key] for key in overall} == {
        "rated": 3, "satisfied": 2, "partly": 0, "not_satisfied": 1, "satisfaction_rate": Decimal("66.7"),
    }  # fmt: skip
    by_category = {row["category"]: row for row in result["by_category"]}
    assert (by_category["permits"]["rated"], by_category["permits"]["satisfaction_rate"]) == (
        2,
        Decimal("50.0"),
    )
    assert (by_category["land"]["rated"], by_category["land"]["satisfaction_rate"]) == (1, Decimal("100.0"))
    assert by_category["finance"]["rated"] == 0 and by_category["finance"]["satisfaction_rate"] is None


def test_the_tab_ranks_and_every_figure_drills_down(ledger, login):
    z = ledger
    client = login(z.coordinator)
    page = client.get(reverse("dashboard_accountability"), {"year": 2024, "month": 5})
    assert page.status_code == 200
    (first, second) = page.context["departments"]
    assert (first["rank"], first["name"], second["name"]) == (1, "自然资源和规划局", "行政审批局")
    links = {cell["text"]: cell["link"] for cell in second["cells"]}
    assert set(links) >= {"3", "33.3%", "50.0%", "6.5", "1"}

    def listed(link):
        return {issue.pk for issue in client.get(link).context["page"]}

    received, first_response, on_time, median, overdue, extensions, satisfied = (
        cell["link"] for cell in second["cells"]
    )
    assert listed(received) == listed(first_response) == {z.a1.pk, z.a2.pk, z.a3.pk}
    assert listed(on_time) == {z.a1.pk, z.a2.pk}
    assert listed(median) == {z.a1.pk, z.a2.pk}
    assert listed(overdue) == listed(extensions) == {z.a3.pk}
    assert listed(satisfied) == {z.a1.pk, z.a2.pk}
    worker = next(row for row in page.context["workers"] if row["name"] == "王网格")
    projects_link, visits_link = worker["cells"][0]["link"], worker["cells"][1]["link"]
    assert [p.pk for p in client.get(projects_link).context["page"]] == [z.project_a.pk]
    assert len(client.get(visits_link).context["page"]) == 1
    assert listed(worker["cells"][4]["link"]) == {z.a1.pk, z.a2.pk, z.a3.pk}
    assert "企业满意度" in page.text and 'href="/dashboard/?year=2024&amp;month=5"' in page.text


def test_the_tab_on_a_phone_and_in_english(ledger, login):
    client = login(ledger.grid)
    page = client.get(
        reverse("dashboard_accountability"), {"year": "x", "month": 5}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page.status_code == 200
    assert "table-responsive" in page.text
    # A grid worker sees the issues of their park only.
    assert [row["name"] for row in page.context["departments"]] == ["行政审批局"] or page.context[
        "departments"
    ] == []


def test_a_grid_workers_projects_are_their_parks_and_those_naming_them_once(ledger):
    z = ledger
    Project.objects.filter(pk__in=[z.project_a.pk, z.project_b.pk]).update(grid_worker=z.grid.staff)
    rows = by_grid_worker(year=2024, month=5, user=z.coordinator, today=TODAY, rules=Rules.current())
    projects = {row["grid_worker"]: row["projects"] for row in rows}
    # 王网格: A in his park and naming him (once), B naming him; 李网格: B in her park.
    assert projects == {"王网格": 2, "李网格": 1}


@pytest.mark.parametrize("extra", [0, 4])
def test_query_counts_do_not_grow_with_the_data(ledger, django_assert_num_queries, extra):
    z = ledger
    for n in range(extra):
        Issue.objects.create(
            project=z.project_b, department=z.approval, category="hiring", description=f"用工{n}",
            status=IssueStatus.RESOLVED, resolution="好", raised_at=at(D(2024, 5, 6 + n)),
            first_response_at=at(D(2024, 5, 7 + n)), resolved_at=at(D(2024, 5, 9 + n)),
        )  # fmt: skip
    rules = Rules.current()
    satisfaction(year=2024, month=5, user=z.coordinator)  # looks up the user's profile and roles once
    # Departments: grouped counts (1), first-response and resolution day pairs (2), calendar (1),
    # extensions (1), names (1) = 6. Grid workers: the round's projects by park and named worker (1),
    # the workers with their visits (1) and parks (1), the issue groups as above without names (5) =
    # 8. Satisfaction: one grouped count.
    with django_assert_num_queries(6):
        by_department(year=2024, month=5, user=z.coordinator, today=TODAY, rules=rules)
    with django_assert_num_queries(8):
        by_grid_worker(year=2024, month=5, user=z.coordinator, today=TODAY, rules=rules)
    with django_assert_num_queries(1):
        satisfaction(year=2024, month=5, user=z.coordinator)


def test_the_monthly_report_and_its_workbook_carry_the_rankings(
    ledger, login, django_capture_on_commit_callbacks, run_jobs
):
    from io import BytesIO

    from openpyxl import load_workbook

    client = login(ledger.coordinator)
    page = client.get("/reports/monthly/?year=2024&month=5")
    assert page.status_code == 200
    (departments, workers) = page.context["report"]["accountability"]
    assert departments["rows"][1][:5] == [2, "行政审批局", 3, Decimal("33.3"), Decimal("50.0")]
    assert [row[1] for row in workers["rows"]] == ["李网格", "王网格"]
    assert "部门排名" in page.text and "网格员排名" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        job = client.get("/reports/monthly.xlsx?year=2024&month=5")  # built in the background
    run_jobs()
    response = client.get(f"{job['Location']}download/")
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook["部门排名"].iter_rows(values_only=True))
    assert rows[0][:4] == ("排名", "名称", "受理数", "及时响应率（%）")
    assert rows[1][:3] == (1, "自然资源和规划局", 2) and rows[2][:3] == (2, "行政审批局", 3)
    assert [row[1] for row in workbook["网格员排名"].iter_rows(min_row=2, values_only=True)] == [
        "李网格",
        "王网格",
    ]


def test_a_user_who_sees_no_issue_gets_no_department_row(ledger):
    # No profile: the issues they see are none() (a query Django never sends); the span queries,
    # read straight from the driver, must not send it either.
    rows = by_department(year=2024, month=5, user=ledger.nobody, today=TODAY, rules=Rules.current())
    assert rows == []
    workers = by_grid_worker(year=2024, month=5, user=ledger.nobody, today=TODAY, rules=Rules.current())
    assert all(row["received"] == 0 for row in workers)
