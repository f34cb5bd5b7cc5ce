"""`manage.py load_demo`: the article's zone, idempotent, live whatever today is."""

import datetime
import hashlib
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import translation

from projects import demo
from projects.figures import dashboard_figures
from projects.models import (
    Category,
    Issue,
    IssueEventKind,
    IssueStatus,
    Level,
    Listing,
    ListingKind,
    ListingLevel,
    Meeting,
    MonthLock,
    MonthlyReport,
    Notification,
    Permit,
    PermitStatus,
    Project,
    Stage,
    Visit,
)

pytestmark = pytest.mark.django_db


def run(*args, language="en"):
    out = StringIO()
    with translation.override(language):
        call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def snapshot():
    """Row counts of every model plus a hash of the key fields of the demo's main rows."""
    counts = {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"projects", "auth"}
    }
    digest = hashlib.sha256()
    rows = [
        Project.objects.order_by("code").values_list(
            "code", "name", "stage", "total_investment", "actual_start", "actual_completion", "leader__name"
        ),
        Listing.objects.order_by("project__code", "year").values_list(
            "project__code", "year", "level", "kind", "planned_investment"
        ),
        MonthlyReport.objects.order_by("project__code", "year", "month").values_list(
            "project__code", "year", "month", "amount"
        ),
        Issue.objects.order_by("project__code", "description").values_list(
            "project__code", "description", "level", "status", "deadline", "raised_at", "department__name"
        ),
        Visit.objects.order_by("project__code", "date", "kind").values_list("project__code", "date", "kind"),
        get_user_model().objects.order_by("username").values_list("username", "password", "is_superuser"),
    ]
    for queryset in rows:
        for row in queryset:
            digest.update(repr(row).encode())
    return counts, digest.hexdigest()


def test_load_demo_twice_changes_nothing():
    first_output = run()
    assert "Demo zone created" in first_output
    before = snapshot()
    second_output = run()
    assert "nothing changed" in second_output
    assert snapshot() == before


def test_a_later_run_changes_nothing_either():
    demo.load_demo(today=datetime.date(2026, 11, 26))
    before = snapshot()
    demo.load_demo(today=datetime.date(2026, 12, 28))  # another month: no new meeting, no new lock
    assert snapshot() == before


def test_load_demo_prints_the_logins():
    output = run()
    for username in ["grid", "dept", "coordinator", "leader", "supervisor", "admin"]:
        assert f"  {username} " in output
    assert output.count(demo.PASSWORD) >= 6


def test_load_demo_speaks_chinese_by_default():
    output = run(language="zh-hans")
    assert "已创建演示数据" in output and "演示账号" in output and "网格员" in output


def test_if_empty_does_nothing_when_a_project_exists(zone):
    output = run("--if-empty")
    assert "not loaded" in output
    assert Project.objects.count() == 2
    assert "coordinator" in output  # the logins are printed all the same


def test_if_empty_loads_an_empty_database():
    run("--if-empty")
    assert Project.objects.count() > 60


def test_demo_users_log_in_with_one_role_each(client):
    run()
    User = get_user_model()
    expected = {
        "grid": "grid_worker",
        "dept": "department",
        "coordinator": "coordinator",
        "leader": "leader",
        "supervisor": "supervisor",
        "admin": "administrator",
    }
    for username, role in expected.items():
        user = User.objects.get(username=username)
        assert user.check_password(demo.PASSWORD)
        assert {r.code for r in user.staff.roles.all()} == {role}
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    response = client.post(reverse("login"), {"username": "grid", "password": demo.PASSWORD})
    assert response.status_code == 302 and response.url == reverse("home")


def test_demo_echoes_the_article():
    run()
    year = datetime.date.today().year
    listings = Listing.objects.filter(year=year)
    key = listings.filter(level__in=[ListingLevel.PROVINCE, ListingLevel.CITY])
    assert key.count() == 58
    new = listings.filter(kind=ListingKind.NEW)
    assert new.count() == 36
    started_by_may = new.filter(project__actual_start__lte=datetime.date(year, 5, 31)).count()
    assert started_by_may == 22
    # Every provincial new-build project has started.
    province_new = new.filter(level=ListingLevel.PROVINCE)
    assert province_new.exists() and not province_new.filter(project__actual_start__isnull=True).exists()
    invested = MonthlyReport.objects.filter(
        year=year, month__lte=5, project__listings__year=year, project__listings__kind=ListingKind.NEW
    ).aggregate(total=Sum("amount"))["total"]
    assert abs(invested - Decimal(260000)) < 1000  # 26亿 in January–May
    over = listings.filter(project__total_investment__gte=10000).count()
    over_prev = Listing.objects.filter(year=year - 1, project__total_investment__gte=10000).count()
    assert round((over - over_prev) / over_prev * 100) == 58


def test_dashboard_shows_the_articles_new_build_investment():
    """The dashboard's new-build completed investment is the article's 26亿 (260,004 万元 after rounding)."""
    run()
    year = datetime.date.today().year
    admin = get_user_model().objects.get(username="admin")
    figures = dashboard_figures(year=year, month=5, user=admin)
    invested = MonthlyReport.objects.filter(
        year=year, month__lte=5, project__listings__year=year, project__listings__kind=ListingKind.NEW
    ).aggregate(total=Sum("amount"))["total"]
    assert figures["new_completed_investment"] == invested
    assert abs(figures["new_completed_investment"] - Decimal(260000)) < 1000
    assert figures["completed_investment"] > figures["new_completed_investment"]  # plus the continuing


def test_stator_plant_and_its_hiring_request():
    run()
    project = Project.objects.get(name="联博新能源汽车驱动电机定子项目")
    assert project.park.name == "航空航天产业园"
    nodes = {n.name: n for n in project.nodes.with_dates()}
    # The article: building 1's lines commissioned, building 2's being fitted, PPAP pending, then
    # mass production (the plan's production node).
    assert nodes["1号厂房 5 条冲压线和 6 条自动线完成调试和试生产"].done_on
    assert nodes["2号厂房 5 条冲压线安装调试"].done_on is None
    ppap = next(node for name, node in nodes.items() if "PPAP" in name)
    assert ppap.done_on is None and ppap.is_key
    assert nodes["投产"].done_on is None and "量产" in nodes["投产"].note
    assert nodes["开工"].done_on == project.actual_start
    hiring = project.issues.get(category=Category.HIRING)
    assert hiring.department.name == "人力资源和社会保障局"
    assert hiring.status == IssueStatus.CLOSED and hiring.feedback and hiring.satisfaction
    raised = hiring.raised_at.date()
    assert hiring.first_response_at.date() == demo.add_workdays(raised, 1)  # the next day
    kinds = list(hiring.events.values_list("kind", flat=True))
    assert kinds[:2] == [IssueEventKind.RAISED, IssueEventKind.FOLLOW_UP]
    assert kinds[-2:] == [IssueEventKind.FEEDBACK, IssueEventKind.CLOSED]


def test_issues_at_every_level_with_timelines():
    run()
    unresolved = Issue.objects.unresolved()
    assert set(unresolved.values_list("level", flat=True)) == set(Level.values)
    overdue_levels = set(Issue.objects.overdue().values_list("level", flat=True))
    assert {Level.GRID_HELP, Level.LEADER, Level.SUPERVISION} <= overdue_levels
    assert Issue.objects.filter(solved_on_site=True).count() >= 4
    assert Issue.objects.filter(suspended=True, status__in=IssueStatus.unresolved()).exists()
    assert Issue.objects.filter(flagged_for_committee=True).exists()
    for issue in Issue.objects.prefetch_related("events"):
        events = list(issue.events.all())
        assert events[0].kind == IssueEventKind.RAISED
        assert issue.level_entered_at >= issue.raised_at
        if issue.first_response_at:
            assert issue.first_response_at >= issue.raised_at
        if issue.level > Level.GRID_HELP:
            escalations = [e for e in events if e.to_level == issue.level and e.from_level]
            assert escalations and (escalations[-1].text or escalations[-1].by is None)
        if issue.status == IssueStatus.CLOSED:
            assert issue.feedback and issue.satisfaction
            assert IssueEventKind.FEEDBACK in [e.kind for e in events]
        if issue.level >= Level.LEADER:
            assert issue.assigned_by_leader_id and issue.assignment_slip_no
    meeting = Meeting.objects.filter(held=True).get()
    assert meeting.items.exclude(decision="").exists()
    assert Notification.objects.filter(read_at__isnull=True).exists()


def test_permits_and_stages_agree():
    run()
    required = Permit.objects.filter(permit_type__required_from=Stage.CONSTRUCTION)
    started = required.filter(project__actual_start__isnull=False)
    assert not started.exclude(status=PermitStatus.APPROVED).exists()
    done = Permit.objects.filter(
        permit_type__required_from=Stage.COMPLETED, project__stage__in=[Stage.COMPLETED, Stage.PRODUCTION]
    )
    assert done.exists() and not done.exclude(status=PermitStatus.APPROVED).exists()
    # Some projects have not been visited for 30 days (the yellow light has something to show).
    assert 3 <= Project.objects.listed_in(datetime.date.today().year).not_visited_since(30).count() <= 15


@pytest.mark.parametrize(
    "today",
    [datetime.date(2026, 11, 26), datetime.date(2031, 1, 3), datetime.date(2030, 3, 15)],
    ids=str,
)
def test_demo_stays_consistent_whatever_today_is(today):
    demo.load_demo(today=today)
    year = today.year
    assert Listing.objects.filter(year=year).count() == 62
    assert Listing.objects.filter(year=year - 1).exists()
    assert not MonthlyReport.objects.filter(Q(year=year, month__gt=today.month) | Q(year__gt=year)).exists()
    assert not Project.objects.filter(actual_start__gt=today).exists()
    assert not Project.objects.filter(actual_completion__gt=today).exists()
    assert not Issue.objects.filter(raised_at__date__gt=today).exists()
    assert not Visit.objects.filter(date__gt=today).exists()
    # Months past their reporting deadline are locked; the current month is open.
    assert MonthLock.objects.filter(year=year - 1).count() == (12 if today.month > 1 or today.day > 5 else 11)
    assert not MonthLock.objects.filter(year=year, month__gte=today.month).exists()
    # Validation agrees with the database's constraints (checked once: it is a query per row).
    if today.month == 11:
        for row in [*Project.objects.all(), *Issue.objects.all(), *Listing.objects.all()]:
            row.full_clean()


def test_demo_pages_open(login):
    run()
    User = get_user_model()
    project = Project.objects.get(name="联博新能源汽车驱动电机定子项目")
    for username in ["grid", "coordinator", "leader"]:
        client = login(User.objects.get(username=username))
        assert client.get(reverse("home")).status_code == 200
        assert client.get(reverse("project_list")).status_code == 200
        assert client.get(reverse("project_detail", args=[project.pk])).status_code == 200
