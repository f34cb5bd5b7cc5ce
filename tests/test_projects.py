import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_grid_worker_sees_only_their_park(zone, login):
    client = login(zone.grid)
    response = client.get(reverse("project_list"))
    assert response.status_code == 200
    codes = [p.code for p in response.context["page"]]
    assert codes == ["P-A1"]
    assert client.get(reverse("project_detail", args=[zone.project_b.pk])).status_code == 404


def test_coordinator_sees_every_project(zone, login):
    response = login(zone.coordinator).get(reverse("project_list"))
    assert [p.code for p in response.context["page"]] == ["P-A1", "P-B1"]


def test_department_staff_sees_projects_their_department_leads(zone, login):
    response = login(zone.dept).get(reverse("project_list"))
    assert [p.code for p in response.context["page"]] == ["P-B1"]


def test_user_without_profile_gets_a_clear_message(zone, login):
    client = login(zone.nobody)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "staff profile" in response.content.decode() or "角色" in response.content.decode()
    assert list(client.get(reverse("project_list")).context["page"]) == []


@pytest.mark.parametrize(
    ("query", "expected", "queries"),
    [
        ({"park": "a"}, ["P-A1"], 13),  # + the chosen park, looked up to validate it
        ({"level": "province"}, ["P-A1"], 12),
        ({"level": "city"}, ["P-B1"], 12),
        ({"kind": "new"}, ["P-A1", "P-B1"], 12),
        ({"kind": "continuing"}, [], 11),  # no rows to fetch after a count of 0
        ({"stage": "preparation"}, ["P-B1"], 12),
        ({"q": "定子"}, ["P-A1"], 12),
        ({"q": "江大"}, ["P-B1"], 12),
        ({"over_100m": "true"}, ["P-A1"], 12),
        ({"started": "false"}, ["P-B1"], 12),
        # Never visited: neither is green, whatever the date (tests/test_lights.py has the rules).
        ({"light": "green"}, [], 11),
        ({"not_visited": "30"}, ["P-A1", "P-B1"], 12),
    ],
)
def test_project_list_filters(zone, login, query, expected, queries, django_assert_num_queries):
    if query.get("park") == "a":
        query = {"park": zone.park_a.pk}
    client = login(zone.coordinator)
    client.get(reverse("project_list"))  # warm the session
    # session, user, staff profile with its roles (1), row count, unread count, the filter's
    # choices (park, leader, grid worker, department: 4; the accountability drill-down's grid worker
    # select shows the grid workers' list), the warning-light thresholds (Rules: 1), the calendar
    # days of the late-node threshold (1) and the page rows (lights included) = 12;
    # the count does not grow with rows.
    with django_assert_num_queries(queries):
        response = client.get(reverse("project_list"), query)
    assert [p.code for p in response.context["page"]] == expected


def test_project_list_rejects_bad_filter_values_without_error(zone, login):
    response = login(zone.coordinator).get(reverse("project_list"), {"year": "abc", "park": "999999"})
    assert response.status_code == 200
    assert response.context["filter"].errors


def test_project_detail_shows_listing_and_investment(zone, login):
    response = login(zone.grid).get(reverse("project_detail", args=[zone.project_a.pk]))
    assert response.status_code == 200
    assert "联博新能源汽车驱动电机定子项目" in response.content.decode()


def test_project_page_side_lists_escape_their_words(zone, login):
    import datetime

    from projects.models import Issue, Permit, PermitType, Visit

    project = zone.project_a
    Issue.objects.create(
        project=project, category="land", description='<b>"用地"</b> & 规划', level=1,
        raised_at=datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC),
    )  # fmt: skip
    Visit.objects.create(project=project, date=datetime.date(2026, 5, 2), summary="<i>走访</i> & 座谈")
    permit_type = PermitType.objects.create(name="<u>许可</u>")
    Permit.objects.create(project=project, permit_type=permit_type)
    page = login(zone.coordinator).get(reverse("project_detail", args=[project.pk])).content.decode()
    assert "&lt;b&gt;&quot;用地&quot;&lt;/b&gt; &amp; 规划</a>" in page
    assert '<div class="small">&lt;i&gt;走访&lt;/i&gt; &amp; 座谈</div>' in page
    assert "<tr><td>&lt;u&gt;许可&lt;/u&gt;</td>" in page
    assert '<b>"用地' not in page and "<i>走访" not in page and "<u>许可" not in page


def test_filter_selects_keep_the_choice_and_escape_names(zone, login):
    zone.park_b.name = "<b>高校</b>园区"
    zone.park_b.save()
    response = login(zone.coordinator).get(
        reverse("project_list"), {"park": zone.park_a.pk, "stage": "preparation"}
    )
    html = response.content.decode()
    assert f'<option value="{zone.park_a.pk}" selected>{zone.park_a.name}</option>' in html
    assert f'<option value="{zone.park_b.pk}">&lt;b&gt;高校&lt;/b&gt;园区</option>' in html
    assert '<option value="preparation" selected>' in html
    assert '<option value="">---------</option>' in html


@pytest.mark.parametrize("extra", [0, 12])
def test_project_list_reads_the_calendar_once_whatever_the_late_nodes(
    zone, login, extra, django_assert_num_queries
):
    """Every row has a late key node whose delay the light's reason counts in working days: on the
    calendar lights.annotate() read once for the list (ProjectQuerySet._light_calendar), not per row."""
    import datetime

    from projects.models import CalendarDay, PlanNode, Project
    from projects.querysets import today

    for i in range(extra):
        Project.objects.create(
            code=f"LATE-{i:02d}",
            name=f"节点逾期项目{i}",
            enterprise=zone.enterprise,
            park=zone.park_a,
            total_investment=1000 + i,
        )
    CalendarDay.objects.create(date=today() - datetime.timedelta(days=2), is_workday=False, note="检修")
    for index, project in enumerate(Project.objects.all()):
        late_by = 40 if index % 2 else 4  # red and yellow lights
        PlanNode.objects.create(
            project=project,
            name="施工许可",
            is_key=True,
            planned_date=today() - datetime.timedelta(days=late_by),
        )
    client = login(zone.coordinator)
    client.get(reverse("project_list"))  # warm the session
    # The 12 of test_project_list_filters: the calendar days once (the late-node threshold and every
    # row's delay), the page rows with their lights in one query.
    with django_assert_num_queries(12):
        response = client.get(reverse("project_list"))
    rows = list(response.context["page"])
    assert len(rows) == 2 + extra
    assert response.content.decode().count("施工许可") == 2 + extra  # a reason per row, delay counted


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_list_money_is_written_as_floatformat_0g(language):
    """The rows' money (number_text, "whole") is exactly Django's `floatformat:"0g"`: halves rounded up,
    negatives, many digits, the language's grouping."""
    from decimal import Decimal

    from django.template.defaultfilters import floatformat
    from django.utils import translation

    from projects.numbers import number_text

    values = [None, 0, 7, -7, 1234567, Decimal("0"), Decimal("-0"), Decimal("-0.00"), Decimal("0.49")]
    values += [Decimal("0.5"), Decimal("-0.5"), Decimal("-0.49"), Decimal("1.5"), Decimal("2.5")]
    values += [Decimal("9999.50"), Decimal("-9999.50"), Decimal("999999.49"), Decimal("1000000.00")]
    values += [Decimal("123456789012345678901234567890.5"), Decimal("-98765432109876543210.4999999999")]
    values += [
        Decimal(f"{sign}{whole}.{cents:02d}")
        for sign in "-+"
        for whole in (0, 9, 99, 999, 1000, 12345678)
        for cents in (0, 1, 49, 50, 51, 99)
    ]
    with translation.override(language):
        text = number_text()
        written = [text(value, "whole") for value in values]
        assert written == [floatformat(value, "0g") or "—" for value in values]
        assert text(Decimal("1234567.5"), "whole") == "1,234,568"


def test_project_list_rows_escape_names(zone, login):
    import datetime

    from projects.models import PlanNode
    from projects.querysets import today

    zone.project_a.name = "<b>定子</b>"
    zone.project_a.save()
    zone.enterprise.name = 'A&B "电机"'
    zone.enterprise.save()
    zone.park_a.name = "<i>园</i>"
    zone.park_a.save()
    zone.leader.staff.name = "<u>孙</u>"
    zone.leader.staff.save()
    PlanNode.objects.create(
        project=zone.project_a,
        name="<s>施工</s>",
        is_key=True,
        planned_date=today() - datetime.timedelta(days=40),
    )
    html = login(zone.coordinator).get(reverse("project_list")).content.decode()
    assert "&lt;b&gt;定子&lt;/b&gt;</a>" in html
    assert "A&amp;B &quot;电机&quot;</div>" in html
    assert ">&lt;i&gt;园&lt;/i&gt;</td>" in html
    assert ">&lt;u&gt;孙&lt;/u&gt;</td>" in html
    assert "&lt;s&gt;施工&lt;/s&gt;" in html
    assert "<b>" not in html and "<i>" not in html and "<u>" not in html and "<s>" not in html


def test_the_drill_down_select_offers_the_grid_workers_and_keeps_its_choice(zone, login):
    import re

    html = (
        login(zone.coordinator)
        .get(reverse("project_list"), {"served_by": zone.grid.staff.pk})
        .content.decode()
    )
    selects = dict(re.findall(r'<select name="(\w+)"[^>]*>(.*?)</select>', html, re.S))
    option = f'<option value="{zone.grid.staff.pk}"'
    assert f"{option} selected>{zone.grid.staff.name}</option>" in selects["served_by"]
    assert f"{option}>{zone.grid.staff.name}</option>" in selects["grid_worker"]
    unchosen = selects["grid_worker"].replace('<option value="" selected>', '<option value="">')
    assert selects["served_by"].replace(f"{option} selected>", f"{option}>") == unchosen
