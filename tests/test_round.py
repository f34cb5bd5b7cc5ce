"""The monthly investment round end to end: fill, save, conflicts, plausibility, completeness,
reminders, lock and corrections."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import (
    CorrectionStatus,
    Listing,
    ListingKind,
    ListingLevel,
    MonthLock,
    MonthlyReport,
    Notification,
    ReportCorrection,
)
from projects.querysets import today

pytestmark = pytest.mark.django_db

# A past month whose deadline has passed whatever today is: June of last year.
PAST = (today().year - 1, 6)


@pytest.fixture
def past_round(zone):
    """Both projects listed last year too."""
    for project in (zone.project_a, zone.project_b):
        Listing.objects.create(
            project=project,
            year=PAST[0],
            level=ListingLevel.CITY,
            kind=ListingKind.NEW,
            planned_investment=Decimal("1000"),
        )
    return zone


def round_url(year, month):
    return reverse("round", args=[year, month])


def form_data(response, values):
    """The page's formset as the browser would post it, with `values` {project pk: {field: value}}."""
    formset = response.context["formset"]
    data = {
        "form-TOTAL_FORMS": str(formset.total_form_count()),
        "form-INITIAL_FORMS": str(formset.initial_form_count()),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "2000",
    }
    for form in formset.forms:
        initial = form.initial
        fields = {
            "project": initial["project"],
            "amount": "" if initial.get("amount") is None else str(initial["amount"]),
            "note": initial.get("note", ""),
            "original_amount": initial.get("original_amount", ""),
            "original_note": initial.get("original_note", ""),
        }
        fields.update(values.get(initial["project"], {}))
        for name, value in fields.items():
            if name == "confirm" and not value:
                continue
            data[f"{form.prefix}-{name}"] = value
    return data


def report(project, year, month, amount, by=None):
    return MonthlyReport.objects.create(
        project=project, year=year, month=month, amount=Decimal(amount), reported_by=by
    )


def test_round_redirects_to_the_current_month(zone, login):
    response = login(zone.grid).get(reverse("round_current"))
    assert response.status_code == 302
    assert response["Location"] == round_url(today().year, today().month)


def test_grid_worker_sees_one_page_of_their_projects_with_last_month_and_year_to_date(
    past_round, login, django_assert_num_queries
):
    zone = past_round
    report(zone.project_a, PAST[0], 4, "100")
    report(zone.project_a, PAST[0], 5, "150")
    client = login(zone.grid)
    client.get(round_url(*PAST))
    # session, user, staff with its roles (1), rules (the deadline), the month's lock, the projects
    # with all their figures (one query of subqueries), unread notifications = 7, whatever the rows.
    with django_assert_num_queries(7):
        response = client.get(round_url(*PAST))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["project"].code for row in rows] == ["P-A1"]
    project = rows[0]["project"]
    assert project.last_amount == Decimal("150")
    assert project.ytd == Decimal("250")
    html = response.content.decode()
    assert "150" in html and "250" in html
    assert str(past_round.year - 1) in html


def test_fill_and_save_the_whole_page_once(past_round, login):
    zone = past_round
    client = login(zone.coordinator)
    response = client.get(round_url(*PAST))
    data = form_data(
        response,
        {
            zone.project_a.pk: {"amount": "1200.50", "note": "设备进场"},
            zone.project_b.pk: {"amount": "300"},
        },
    )
    response = client.post(round_url(*PAST), data)
    assert response.status_code == 302
    a = MonthlyReport.objects.get(project=zone.project_a, year=PAST[0], month=PAST[1])
    assert a.amount == Decimal("1200.50") and a.note == "设备进场"
    assert a.reported_by == zone.coordinator.staff
    assert MonthlyReport.objects.get(project=zone.project_b, year=PAST[0], month=PAST[1]).amount == 300


def test_only_changed_rows_are_written(past_round, login):
    zone = past_round
    existing = report(zone.project_b, PAST[0], PAST[1], "300")
    client = login(zone.coordinator)
    response = client.get(round_url(*PAST))
    response = client.post(round_url(*PAST), form_data(response, {zone.project_a.pk: {"amount": "10"}}))
    assert response.status_code == 302
    assert existing.history.count() == 1  # untouched: no new history row
    assert MonthlyReport.objects.filter(project=zone.project_a).count() == 1


def test_blank_rows_stay_unreported(past_round, login):
    zone = past_round
    client = login(zone.grid)
    response = client.get(round_url(*PAST))
    response = client.post(round_url(*PAST), form_data(response, {}))
    assert response.status_code == 302
    assert not MonthlyReport.objects.exists()


@pytest.mark.parametrize("amount", ["-1", "abc", "1e20"])
def test_invalid_amounts_save_nothing(past_round, login, amount):
    zone = past_round
    client = login(zone.coordinator)
    response = client.get(round_url(*PAST))
    data = form_data(response, {zone.project_a.pk: {"amount": "5"}, zone.project_b.pk: {"amount": amount}})
    response = client.post(round_url(*PAST), data)
    assert response.status_code == 400
    assert not MonthlyReport.objects.exists()
    assert response.context["rows"][1]["form"].errors["amount"]


def test_validation_messages_in_chinese(past_round, login):
    zone = past_round
    client = login(zone.grid)
    response = client.get(round_url(*PAST))
    response = client.post(round_url(*PAST), form_data(response, {zone.project_a.pk: {"amount": "-3"}}))
    assert "确保该值大于或等于0" in response.content.decode().replace(" ", "")


def test_concurrent_change_is_detected_and_nothing_saved(past_round, login):
    zone = past_round
    client = login(zone.grid)
    response = client.get(round_url(*PAST))
    # Someone else saves the same figure after the page was loaded.
    report(zone.project_a, PAST[0], PAST[1], "80", by=zone.coordinator.staff)
    response = client.post(round_url(*PAST), form_data(response, {zone.project_a.pk: {"amount": "90"}}))
    assert response.status_code == 409
    assert MonthlyReport.objects.get(project=zone.project_a).amount == Decimal("80")
    form = response.context["rows"][0]["form"]
    assert form.errors["amount"]
    # The re-displayed form keeps the entered value and now knows the other person's figure:
    # saving again deliberately overwrites it.
    assert form["amount"].value() == "90"
    data = dict(response.context["formset"].data.items())
    response = client.post(round_url(*PAST), data)
    assert response.status_code == 302
    assert MonthlyReport.objects.get(project=zone.project_a).amount == Decimal("90")


def test_same_value_saved_by_someone_else_is_not_a_conflict(past_round, login):
    zone = past_round
    client = login(zone.grid)
    response = client.get(round_url(*PAST))
    report(zone.project_a, PAST[0], PAST[1], "90")
    response = client.post(round_url(*PAST), form_data(response, {zone.project_a.pk: {"amount": "90"}}))
    assert response.status_code == 302


def test_a_month_above_the_remaining_total_asks_for_confirmation(past_round, login):
    zone = past_round
    report(zone.project_b, PAST[0], 5, "7000")  # total investment 8000: 1000 remain
    client = login(zone.coordinator)
    response = client.get(round_url(*PAST))
    data = form_data(response, {zone.project_a.pk: {"amount": "100"}, zone.project_b.pk: {"amount": "1500"}})
    response = client.post(round_url(*PAST), data)
    assert response.status_code == 200
    # The plausible row is saved, the other waits with a warning and a confirm box, value kept.
    assert MonthlyReport.objects.get(project=zone.project_a, month=PAST[1]).amount == 100
    assert not MonthlyReport.objects.filter(project=zone.project_b, month=PAST[1]).exists()
    row = next(r for r in response.context["rows"] if r["project"] == zone.project_b)
    assert row["warnings"] and "1,000.00" in row["warnings"][0]
    assert row["form"]["amount"].value() == "1500"
    assert 'name="form-1-confirm"' in response.content.decode()
    # Confirming saves it; the row saved before is not seen as a conflict.
    data = dict(response.context["formset"].data.items())
    data["form-1-confirm"] = "on"
    response = client.post(round_url(*PAST), data)
    assert response.status_code == 302
    assert MonthlyReport.objects.get(project=zone.project_b, month=PAST[1]).amount == 1500


def test_ten_times_the_usual_month_asks_for_confirmation(past_round, login):
    zone = past_round
    for month, amount in [(3, "100"), (4, "0"), (5, "120")]:
        report(zone.project_a, PAST[0], month, amount)
    client = login(zone.grid)
    response = client.get(round_url(*PAST))
    response = client.post(round_url(*PAST), form_data(response, {zone.project_a.pk: {"amount": "1200"}}))
    assert response.status_code == 200
    warnings = response.context["rows"][0]["warnings"]
    assert len(warnings) == 1 and "110.00" in warnings[0]  # the average of the non-zero months
    assert not MonthlyReport.objects.filter(month=PAST[1]).exists()
    response = client.get(round_url(*PAST))
    response = client.post(round_url(*PAST), form_data(response, {zone.project_a.pk: {"amount": "1000"}}))
    assert response.status_code == 302  # 1000 ≤ 10 × 110


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("grid", 200),
        ("grid_b", 200),
        ("coordinator", 200),
        ("admin", 200),
        ("superuser", 200),
        ("dept", 403),
        ("leader", 403),
        ("supervisor", 403),
        ("nobody", 403),
    ],
)
def test_round_page_permissions(past_round, login, persona, status):
    assert login(getattr(past_round, persona)).get(round_url(*PAST)).status_code == status


def test_a_grid_worker_cannot_post_another_parks_project(past_round, login):
    zone = past_round
    client = login(zone.grid)
    response = client.get(round_url(*PAST))
    data = form_data(response, {zone.project_a.pk: {"amount": "5"}})
    data["form-0-project"] = str(zone.project_b.pk)
    response = client.post(round_url(*PAST), data)
    assert response.status_code == 400
    assert not MonthlyReport.objects.exists()


def test_bad_month_is_404(zone, login):
    client = login(zone.grid)
    assert client.get(round_url(2026, 13)).status_code == 404
    assert client.get(round_url(1999, 1)).status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 200),
        ("admin", 200),
        ("leader", 200),
        ("supervisor", 200),
        ("grid", 403),
        ("dept", 403),
    ],
)
def test_status_page_permissions(past_round, login, persona, status):
    response = login(getattr(past_round, persona)).get(reverse("round_status", args=PAST))
    assert response.status_code == status


def test_completeness_by_park_and_person(past_round, login, django_assert_num_queries):
    zone = past_round
    report(zone.project_a, PAST[0], PAST[1], "10")
    report(zone.project_b, PAST[0] - 1, PAST[1], "10")  # the same month of another year does not count
    report(zone.project_b, PAST[0], PAST[1] - 1, "10")  # nor another month of the year
    client = login(zone.coordinator)
    client.get(reverse("round_status", args=PAST))
    # session, user, staff with its roles (1), rules, lock, by park (1), by grid worker (the round's
    # projects by park and named worker, the workers, their parks: 3), the projects not reported,
    # unread notifications = 11, whatever the rows.
    with django_assert_num_queries(11):
        response = client.get(reverse("round_status", args=PAST))
    by_park = {park.name: (park.reported, park.total) for park in response.context["by_park"]}
    assert by_park == {"航空航天产业园": (1, 1), "高校园区": (0, 1)}
    by_worker = {w.name: (w.reported, w.total) for w in response.context["by_worker"]}
    assert by_worker == {"王网格": (1, 1), "李网格": (0, 1)}
    assert (response.context["reported"], response.context["total"]) == (1, 2)
    assert [p.code for p in response.context["missing"]] == ["P-B1"]


def test_remind_the_missing_notifies_only_grid_workers_with_gaps(past_round, login):
    zone = past_round
    report(zone.project_a, PAST[0], PAST[1], "10")
    response = login(zone.coordinator).post(reverse("round_remind", args=PAST))
    assert response.status_code == 302
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["grid_b"]
    assert Notification.objects.get().url == round_url(*PAST)


def test_only_coordinators_remind_and_lock(past_round, login):
    for persona in ("grid", "leader", "dept"):
        client = login(getattr(past_round, persona))
        assert client.post(reverse("round_remind", args=PAST)).status_code == 403
        assert client.post(reverse("round_lock", args=PAST)).status_code == 403
    assert not MonthLock.objects.exists() and not Notification.objects.exists()


def test_the_month_cannot_be_locked_before_its_deadline(zone, login):
    now = today()
    login(zone.coordinator).post(reverse("round_lock", args=[now.year, now.month]))
    assert not MonthLock.objects.exists()


def test_lock_then_correction_approved(past_round, login):
    zone = past_round
    original = report(zone.project_a, PAST[0], PAST[1], "100", by=zone.grid.staff)
    coordinator = login(zone.coordinator)
    response = coordinator.get(reverse("round_status", args=PAST))
    assert "Lock" in response.content.decode() or "锁定" in response.content.decode()
    coordinator.post(reverse("round_lock", args=PAST))
    assert MonthLock.objects.filter(year=PAST[0], month=PAST[1]).exists()

    # The grid worker's page is read-only now, and a post changes nothing.
    grid = login(zone.grid)
    response = grid.get(round_url(*PAST))
    assert response.context["read_only"]
    assert reverse("correction_new", args=[*PAST, zone.project_a.pk]) in response.content.decode()
    grid.post(round_url(*PAST), {"form-TOTAL_FORMS": "0", "form-INITIAL_FORMS": "0"})
    assert MonthlyReport.objects.get(pk=original.pk).amount == 100

    # A correction without a reason is refused; with one it waits for the coordinator.
    url = reverse("correction_new", args=[*PAST, zone.project_a.pk])
    response = grid.post(url, {"new_amount": "120", "reason": ""})
    assert response.status_code == 400 and not ReportCorrection.objects.exists()
    response = grid.post(url, {"new_amount": "120", "reason": "漏报了设备款"})
    assert response.status_code == 302
    correction = ReportCorrection.objects.get()
    assert (correction.old_amount, correction.new_amount, correction.status) == (
        Decimal("100"),
        Decimal("120"),
        CorrectionStatus.PENDING,
    )
    assert correction.requested_by == zone.grid.staff
    # A grid worker cannot approve it.
    assert grid.post(reverse("correction_decide", args=[correction.pk]), {"approve": "1"}).status_code == 403

    coordinator = login(zone.coordinator)
    response = coordinator.get(reverse("corrections"))
    assert "漏报了设备款" in response.content.decode()
    coordinator.post(reverse("correction_decide", args=[correction.pk]), {"approve": "1", "note": "同意"})
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.APPROVED
    assert correction.decided_by == zone.coordinator.staff and correction.decided_at
    assert correction.reason == "漏报了设备款"
    updated = MonthlyReport.objects.get(pk=original.pk)
    assert updated.amount == Decimal("120")
    assert updated.history.count() == 2  # the correction is in the report's history
    # Deciding twice is refused.
    coordinator.post(reverse("correction_decide", args=[correction.pk]), {"reject": "1"})
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.APPROVED


def test_rejected_correction_leaves_the_figure(past_round, login):
    zone = past_round
    report(zone.project_b, PAST[0], PAST[1], "50")
    MonthLock.objects.create(year=PAST[0], month=PAST[1])
    login(zone.grid_b).post(
        reverse("correction_new", args=[*PAST, zone.project_b.pk]), {"new_amount": "60", "reason": "x"}
    )
    correction = ReportCorrection.objects.get()
    login(zone.coordinator).post(reverse("correction_decide", args=[correction.pk]), {"reject": "1"})
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.REJECTED
    assert MonthlyReport.objects.get(project=zone.project_b).amount == 50


def test_correction_of_an_open_month_is_refused(past_round, login):
    zone = past_round
    response = login(zone.grid).post(
        reverse("correction_new", args=[*PAST, zone.project_a.pk]), {"new_amount": "60", "reason": "x"}
    )
    assert response.status_code == 400
    assert not ReportCorrection.objects.exists()


def test_correction_access(past_round, login):
    zone = past_round
    MonthLock.objects.create(year=PAST[0], month=PAST[1])
    assert login(zone.grid).get(reverse("correction_new", args=[*PAST, zone.project_b.pk])).status_code == 404
    assert login(zone.dept).get(reverse("correction_new", args=[*PAST, zone.project_b.pk])).status_code == 403
    assert login(zone.grid).get(reverse("corrections")).status_code == 403


def test_future_month_is_read_only(zone, login):
    now = today()
    future = (now.year + 1, 1)
    response = login(zone.grid).get(round_url(*future))
    assert response.status_code == 200 and response.context["read_only"]
    assert "formset" not in response.context or 'name="form-TOTAL_FORMS"' not in response.content.decode()


def test_a_report_inserted_concurrently_is_a_conflict_not_an_error(past_round, login, monkeypatch):
    zone = past_round
    client = login(zone.grid)
    response = client.get(round_url(*PAST))
    report(zone.project_a, PAST[0], PAST[1], "80")
    # The other insert lands between our locked read (which found no row) and our insert.
    monkeypatch.setattr(MonthlyReport.objects, "select_for_update", lambda: MonthlyReport.objects.none())
    response = client.post(round_url(*PAST), form_data(response, {zone.project_a.pk: {"amount": "90"}}))
    assert response.status_code == 409
    assert MonthlyReport.objects.get(project=zone.project_a).amount == Decimal("80")
