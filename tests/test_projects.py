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
        ({"park": "a"}, ["P-A1"], 15),  # + the chosen park, looked up to validate it
        ({"level": "province"}, ["P-A1"], 14),
        ({"level": "city"}, ["P-B1"], 14),
        ({"kind": "new"}, ["P-A1", "P-B1"], 14),
        ({"kind": "continuing"}, [], 13),  # no rows to fetch after a count of 0
        ({"stage": "preparation"}, ["P-B1"], 14),
        ({"q": "定子"}, ["P-A1"], 14),
        ({"q": "江大"}, ["P-B1"], 14),
        ({"over_100m": "true"}, ["P-A1"], 14),
        ({"started": "false"}, ["P-B1"], 14),
        # Never visited: neither is green, whatever the date (tests/test_lights.py has the rules).
        ({"light": "green"}, [], 13),
        ({"not_visited": "30"}, ["P-A1", "P-B1"], 14),
    ],
)
def test_project_list_filters(zone, login, query, expected, queries, django_assert_num_queries):
    if query.get("park") == "a":
        query = {"park": zone.park_a.pk}
    client = login(zone.coordinator)
    client.get(reverse("project_list"))  # warm the session
    # session, user, staff profile with its roles (2), row count, unread count, the filter's
    # choices (park, leader, grid worker, department, the accountability drill-down's grid worker: 5),
    # the warning-light thresholds (Rules: 1), the calendar days of the late-node threshold (1) and
    # the page rows (lights included) = 14;
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
    # The 14 of test_project_list_filters: the calendar days once (the late-node threshold and every
    # row's delay), the page rows with their lights in one query.
    with django_assert_num_queries(14):
        response = client.get(reverse("project_list"))
    rows = list(response.context["page"])
    assert len(rows) == 2 + extra
    assert response.content.decode().count("施工许可") == 2 + extra  # a reason per row, delay counted
