"""Recording a site visit: one form, one transaction — the visit, its photos, the requests raised, the
items solved on site and the project's progress, or nothing at all."""

import datetime

import pytest
from django.urls import reverse

from projects.models import (
    Issue,
    IssueEvent,
    IssueEventKind,
    IssueStatus,
    Level,
    Photo,
    ProgressNote,
    Stage,
    Visit,
    VisitKind,
)
from projects.querysets import today
from projects.services.visits import visit_record
from tests.test_photos import jpeg

pytestmark = pytest.mark.django_db


def visit_post(*, kind=VisitKind.ROUTINE, requests=(), solved=(), project=None, **fields):
    """POST data of the visit form: the visit fields and the two formsets."""
    data = {
        "date": today().isoformat(),
        "kind": kind,
        "summary": "走访联博项目现场，了解2号厂房设备安装进展。",
        "people_met": "张荣毛 常务副总经理",
        "latitude": "",
        "longitude": "",
        "location_accuracy": "",
        "stage": "",
        "progress_text": "",
        "draft_key": "visit-draft:/projects/1/visits/new/",
        "req-TOTAL_FORMS": str(len(requests)),
        "req-INITIAL_FORMS": "0",
        "req-MIN_NUM_FORMS": "0",
        "req-MAX_NUM_FORMS": "20",
        "solved-TOTAL_FORMS": str(len(solved)),
        "solved-INITIAL_FORMS": "0",
        "solved-MIN_NUM_FORMS": "0",
        "solved-MAX_NUM_FORMS": "20",
    }
    if project is not None:
        data["project"] = project.pk
    for i, request in enumerate(requests):
        for key, value in request.items():
            data[f"req-{i}-{key}"] = value
    for i, item in enumerate(solved):
        for key, value in item.items():
            data[f"solved-{i}-{key}"] = value
    data.update(fields)
    return data


def new_url(project):
    return reverse("project_visit_new", args=[project.pk])


def test_grid_worker_records_a_visit_with_two_requests_and_one_solved_item(zone, login):
    client = login(zone.grid)
    data = visit_post(
        requests=[
            {"category": "permits", "description": "消防验收资料需要指导"},
            {"category": "hiring", "description": "批量生产需招聘操作工80名"},
        ],
        solved=[
            {"category": "utilities", "description": "临时用电接入", "resolution": "现场联系供电所，当日接通"}
        ],
        latitude="32.180123",
        longitude="119.612345",
        location_accuracy="18",
        participants=[zone.coordinator.staff.pk],
        departments=[zone.approval.pk],
        photos=[jpeg(name="a.jpg"), jpeg(name="b.jpg", taken="2026:05:21 10:00:00")],
    )
    response = client.post(new_url(zone.project_a), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    visit = Visit.objects.get()
    assert (
        response["Location"]
        == f"{visit.get_absolute_url()}?saved=visit-draft%3A%2Fprojects%2F1%2Fvisits%2Fnew%2F"
    )
    assert visit.project == zone.project_a
    assert visit.recorded_by == zone.grid.staff
    assert str(visit.latitude) == "32.180123" and visit.location_accuracy == 18
    assert set(visit.participants.all()) == {zone.grid.staff, zone.coordinator.staff}
    assert list(visit.departments.all()) == [zone.approval]
    assert visit.photos.count() == 2

    issues = {issue.category: issue for issue in Issue.objects.filter(visit=visit)}
    assert len(issues) == 3
    permits, hiring, utilities = issues["permits"], issues["hiring"], issues["utilities"]
    # Routed by category at level 1, open, with level 1's default deadline.
    assert (permits.level, permits.status, permits.department.name) == (Level.GRID_HELP, "open", "行政审批局")
    assert (hiring.level, hiring.department.name) == (Level.GRID_HELP, "人力资源和社会保障局")
    assert permits.deadline is not None and permits.deadline > today()
    assert permits.raised_by == zone.grid.staff
    # Solved on the spot: resolved, with its resolution.
    assert utilities.solved_on_site and utilities.status == IssueStatus.RESOLVED
    assert utilities.resolution == "现场联系供电所，当日接通"

    page = client.get(response["Location"])
    content = page.content.decode()
    assert 'data-saved-draft="visit-draft:/projects/1/visits/new/"' in content
    assert "32.180123, 119.612345" in content and 'href="geo:32.180123,119.612345"' in content
    assert "批量生产需招聘操作工80名" in content


def test_leader_visit_assigns_on_the_spot_at_level_3(zone, login):
    client = login(zone.leader)
    deadline = today() + datetime.timedelta(days=14)
    data = visit_post(
        kind=VisitKind.LEADER,
        requests=[
            {
                "category": "land",
                "description": "二期用地指标",
                "department": zone.departments["自然资源和规划局"].pk,
                "deadline": deadline.isoformat(),
            },
            {"category": "finance", "description": "设备贷款贴息"},
        ],
    )
    response = client.post(new_url(zone.project_a), data)
    assert response.status_code == 302
    land = Issue.objects.get(category="land")
    assert land.level == Level.LEADER
    assert land.assigned_by_leader == zone.leader.staff
    assert land.department.name == "自然资源和规划局"
    assert land.deadline == deadline
    assert land.assignment_slip_no  # a numbered 交办单
    assert IssueEvent.objects.filter(issue=land, kind=IssueEventKind.ASSIGNED, by=zone.leader.staff).exists()
    # Without an assignment a request on a leader visit starts at level 1 like any other.
    assert Issue.objects.get(category="finance").level == Level.GRID_HELP


def test_on_the_spot_assignment_needs_a_leader_visit(zone, login):
    data = visit_post(
        requests=[{"category": "land", "description": "用地", "department": zone.edb.pk}],
    )
    response = login(zone.grid).post(new_url(zone.project_a), data)
    assert response.status_code == 200
    assert response.context["requests_formset"].forms[0].errors["department"]
    assert not Visit.objects.exists() and not Issue.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"summary": ""},
        {"date": (today() + datetime.timedelta(days=1)).isoformat()},
        {"latitude": "32.1"},  # without longitude
        {"latitude": "132.1", "longitude": "119.6"},
        {"solved-0-resolution": ""},
        {"kind": "spaceship"},
    ],
    ids=["no-summary", "future", "half-location", "bad-latitude", "solved-without-resolution", "bad-kind"],
)
def test_invalid_input_saves_nothing(zone, login, change):
    data = visit_post(
        requests=[{"category": "permits", "description": "施工许可"}],
        solved=[{"category": "other", "description": "门牌", "resolution": "已办"}],
    )
    data.update(change)
    response = login(zone.grid).post(new_url(zone.project_a), data)
    assert response.status_code == 200
    assert "Nothing was saved" in response.content.decode() or "未保存" in response.content.decode()
    assert (Visit.objects.count(), Issue.objects.count(), Photo.objects.count()) == (0, 0, 0)


def test_a_non_photo_among_the_photos_saves_nothing(zone, login, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = visit_post(
        requests=[{"category": "permits", "description": "施工许可"}],
        photos=[jpeg(name="ok.jpg"), SimpleUploadedFile("virus.jpg", b"MZ\x90\x00 not an image")],
    )
    response = login(zone.grid).post(new_url(zone.project_a), data)
    assert response.status_code == 200
    assert "virus.jpg" in response.content.decode()
    assert (Visit.objects.count(), Issue.objects.count(), Photo.objects.count()) == (0, 0, 0)


def test_a_failure_late_in_the_transaction_rolls_everything_back(zone, login, settings):
    # The stage cannot go back to preparation: progress_note_add refuses after the visit, its issues
    # and photos were written — all of it must disappear, stored files included.
    data = visit_post(
        requests=[{"category": "permits", "description": "施工许可"}],
        stage=Stage.PREPARATION,
        progress_text="回到前期",
        photos=[jpeg(name="a.jpg")],
    )
    response = login(zone.grid).post(new_url(zone.project_a), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert (Visit.objects.count(), Issue.objects.count(), Photo.objects.count()) == (0, 0, 0)
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_visit_moves_the_stage_and_adds_a_progress_note(zone, login):
    data = visit_post(stage=Stage.COMPLETED, progress_text="主体完工，竣工验收通过。")
    client = login(zone.grid)
    # The stage page's confirmation first, the visit's entries kept; nothing saved yet.
    response = client.post(new_url(zone.project_a), data)
    html = response.content.decode()
    assert response.status_code == 200 and 'id="stage-confirmation"' in html
    assert "在建 → <strong>竣工</strong>" in html and "主体完工，竣工验收通过。" in html
    assert not Visit.objects.exists() and not ProgressNote.objects.exists()
    response = client.post(new_url(zone.project_a), {**data, "confirm": f"completed:{today()}"})
    assert response.status_code == 302
    zone.project_a.refresh_from_db()
    assert zone.project_a.stage == Stage.COMPLETED
    assert zone.project_a.actual_completion == today()
    note = ProgressNote.objects.get()
    assert (note.stage_from, note.stage_to, note.text) == (
        Stage.CONSTRUCTION,
        Stage.COMPLETED,
        "主体完工，竣工验收通过。",
    )


def test_project_chooser_is_limited_to_visible_projects(zone, login):
    client = login(zone.grid)
    response = client.get(reverse("visit_new"))
    assert list(response.context["form"].fields["project"].queryset) == [zone.project_a]
    response = client.post(reverse("visit_new"), visit_post(project=zone.project_b))
    assert response.status_code == 200 and response.context["form"].errors["project"]
    response = client.post(reverse("visit_new"), visit_post(project=zone.project_a))
    assert response.status_code == 302
    assert Visit.objects.get().project == zone.project_a


@pytest.mark.parametrize(
    ("persona", "project", "status"),
    [
        ("grid", "project_a", 200),
        ("grid", "project_b", 404),  # another park's project: invisible
        ("grid_b", "project_b", 200),
        ("dept", "project_b", 200),  # department staff join visits of projects they see
        ("dept", "project_a", 404),
        ("coordinator", "project_a", 200),
        ("leader", "project_b", 200),
        ("supervisor", "project_a", 403),  # sees everything, records nothing
        ("admin", "project_a", 200),
        ("superuser", "project_a", 200),
        ("nobody", "project_a", 404),
    ],
)
def test_who_may_record_a_visit(zone, login, persona, project, status):
    client = login(getattr(zone, persona))
    assert client.get(new_url(getattr(zone, project))).status_code == status


def test_visit_chooser_refuses_roles_that_record_nothing(zone, login):
    assert login(zone.supervisor).get(reverse("visit_new")).status_code == 403
    assert login(zone.nobody).get(reverse("visit_new")).status_code == 403


def test_department_staff_join_but_do_not_raise_requests(zone, login):
    client = login(zone.dept)
    response = client.post(new_url(zone.project_b), visit_post())
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert list(visit.departments.all()) == [zone.approval]  # their department joined
    response = client.post(
        new_url(zone.project_b), visit_post(requests=[{"category": "permits", "description": "x"}])
    )
    assert response.status_code == 200
    assert Visit.objects.count() == 1 and not Issue.objects.exists()


def make_visit(zone, day, project=None, kind=VisitKind.ROUTINE, by=None):
    return visit_record(
        project=project or zone.project_a,
        by=by or zone.grid,
        date=day,
        kind=kind,
        summary=f"走访 {day}",
    )


def test_visit_list_filters_by_month_and_hides_other_parks(zone, login, django_assert_num_queries):
    make_visit(zone, datetime.date(2026, 3, 31))
    april = [make_visit(zone, datetime.date(2026, 4, day)) for day in (1, 15, 30)]
    make_visit(zone, datetime.date(2026, 5, 1))
    make_visit(zone, datetime.date(2026, 4, 10), project=zone.project_b, by=zone.grid_b)
    client = login(zone.grid)
    client.get(reverse("visit_list"))  # warm the session
    query = {"date_after": "2026-04-01", "date_before": "2026-04-30"}
    # session, user, staff with its roles (1), unread count, the filter's choices (park, recorder: 2;
    # the project select offers only a chosen project, none here), row count, page rows = 8, however
    # many visits there are.
    with django_assert_num_queries(8):
        response = client.get(reverse("visit_list"), query)
    assert [v.pk for v in response.context["page"]] == [v.pk for v in reversed(april)]
    response = login(zone.coordinator).get(reverse("visit_list"), {**query, "park": zone.park_b.pk})
    assert [v.project for v in response.context["page"]] == [zone.project_b]
    response = client.get(reverse("visit_list"), {"kind": VisitKind.LEADER})
    assert list(response.context["page"]) == []


def test_visit_list_rejects_bad_filter_values_without_error(zone, login):
    response = login(zone.grid).get(reverse("visit_list"), {"date_after": "junk", "project": "99999"})
    assert response.status_code == 200


def test_withdraw_a_visit_with_a_reason(zone, login):
    visit = make_visit(zone, today())
    client = login(zone.grid)
    url = reverse("visit_withdraw", args=[visit.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    assert client.post(url, {"reason": "重复录入"}).status_code == 302
    visit.refresh_from_db()
    assert visit.withdrawn_reason == "重复录入" and visit.withdrawn_at is not None
    assert Visit.objects.filter(pk=visit.pk).exists()  # never deleted
    assert list(client.get(reverse("visit_list")).context["page"]) == []
    assert [v.pk for v in client.get(reverse("visit_list"), {"withdrawn": "true"}).context["page"]] == [
        visit.pk
    ]
    assert client.get(visit.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("persona", "status"),
    [("grid_b", 404), ("dept", 404), ("leader", 403), ("supervisor", 403), ("coordinator", 200)],
)
def test_who_may_withdraw_a_visit(zone, login, persona, status):
    visit = make_visit(zone, today())
    response = login(getattr(zone, persona)).get(reverse("visit_withdraw", args=[visit.pk]))
    assert response.status_code == status


def test_visit_detail_outside_visibility_is_404(zone, login):
    visit = make_visit(zone, today())
    assert login(zone.grid_b).get(visit.get_absolute_url()).status_code == 404
    assert login(zone.leader).get(visit.get_absolute_url()).status_code == 200


def test_keys_too_large_for_the_database_are_invalid_choices(zone, login):
    huge = "9" * 30
    client = login(zone.grid)
    response = client.post(new_url(zone.project_a), visit_post(participants=[huge], departments=[huge]))
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"participants", "departments"}
    response = client.post(reverse("visit_new"), {**visit_post(), "project": huge})
    assert response.status_code == 200 and response.context["form"].errors["project"]
    assert not Visit.objects.exists()
    assert client.get(reverse("visit_list"), {"project": huge, "recorded_by": huge}).status_code == 200
