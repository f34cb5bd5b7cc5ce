"""Importing the project ledger from Excel: parsing, validation, idempotence, history, locks, the page."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from projects.ledger import LedgerRejected, ledger_apply, ledger_read, person_username
from projects.models import (
    CorrectionStatus,
    Listing,
    ListingKind,
    ListingLevel,
    MonthLock,
    MonthlyReport,
    Park,
    Project,
    ReportCorrection,
    RoleCode,
    Stage,
)
from tests.ledger_book import build, listing, report


def two_projects():
    return build(
        [
            listing("L-001", 2024, cells={"项目类型": "新建"}),
            listing("L-001", 2025, cells={"项目类型": "续建", "年度计划投资（万元）": 15000}),
            listing(
                "L-002",
                2025,
                cells={
                    "项目级别": "市重点",
                    "所属板块": "高校园区",
                    "总投资（万元）": "8,000.50",
                    "实际开工日期": "2025/4/2",
                    "网格员": "李网格",
                },
            ),
        ],
        [report("L-001", 2025, 1, 1000), report("L-001", 2025, 2, "1200.25"), report("L-002", 2025, 4, 300)],
        reports_first=True,
        title_row=True,
    )


def imported(file, by=None, create_unknown=True, **kwargs):
    """Read and apply; new parks, departments and people are created (a first import)."""
    plan = ledger_read(file, create_unknown=create_unknown, **kwargs)
    assert plan.errors == []
    ledger_apply(plan, by=by, **kwargs)
    return plan


@pytest.mark.django_db
def test_import_creates_everything_and_the_same_file_again_changes_nothing():
    file = two_projects()
    plan = imported(file)
    assert plan.counts["project:created"] == 2
    assert plan.counts["listing:created"] == 3
    assert plan.counts["report:created"] == 3
    assert plan.counts["park:created"] == 2

    one = Project.objects.get(code="L-001")
    assert one.name == "项目L-001" and one.park.name == "航空航天产业园"
    assert one.total_investment == Decimal("30000")
    assert one.planned_start == datetime.date(2025, 3, 1)
    assert one.stage == Stage.PREPARATION
    assert one.leader.name == "孙主任" and one.lead_department.name == "经济发展局"
    two = Project.objects.get(code="L-002")
    assert two.total_investment == Decimal("8000.50")
    assert two.actual_start == datetime.date(2025, 4, 2)
    assert two.stage == Stage.CONSTRUCTION  # a start date means at least under construction
    assert Listing.objects.get(project=one, year=2025).kind == ListingKind.CONTINUING
    assert Listing.objects.get(project=two).level == ListingLevel.CITY
    assert MonthlyReport.objects.get(project=one, month=2).amount == Decimal("1200.25")

    history_rows = Project.history.count() + Listing.history.count() + MonthlyReport.history.count()
    again = ledger_read(file)
    assert again.changes == []
    assert again.counts == {"project:unchanged": 2, "listing:unchanged": 3, "report:unchanged": 3}
    ledger_apply(again, by=None)
    assert Project.history.count() + Listing.history.count() + MonthlyReport.history.count() == history_rows
    assert Project.objects.get(code="L-001").version == one.version


@pytest.mark.django_db
def test_a_changed_row_updates_its_project_with_history(zone):
    imported(two_projects(), by=zone.admin)
    project = Project.objects.get(code="L-001")
    assert project.history.count() == 1
    created = project.history.get()
    assert created.history_type == "+" and created.history_user == zone.admin
    assert created.history_change_reason

    changed = build(
        [
            listing("L-001", 2024, cells={"总投资（万元）": 32000, "建设内容": "新建厂房两栋"}),
            listing(
                "L-001",
                2025,
                cells={"项目类型": "续建", "总投资（万元）": 32000, "建设内容": "新建厂房两栋"},
            ),
        ],
        [report("L-001", 2025, 2, 1500)],
    )
    plan = ledger_read(changed)
    assert plan.counts["project:updated"] == 1
    assert plan.counts["listing:updated"] == 1  # 2025's plan back to the default 12000
    assert plan.counts["report:updated"] == 1
    ledger_apply(plan, by=zone.coordinator)

    project.refresh_from_db()
    assert project.total_investment == Decimal("32000") and project.content == "新建厂房两栋"
    assert project.version == 2
    latest = project.history.latest()
    assert latest.history_type == "~" and latest.history_user == zone.coordinator
    assert latest.prev_record.total_investment == Decimal("30000")
    report_row = MonthlyReport.objects.get(project=project, year=2025, month=2)
    assert report_row.amount == Decimal("1500")
    assert report_row.history.latest().history_user == zone.coordinator
    assert report_row.history.count() == 2
    assert Listing.objects.get(project=project, year=2025).history.count() == 2
    # Untouched rows got no new history.
    assert Listing.objects.get(project=project, year=2024).history.count() == 1
    assert MonthlyReport.objects.get(project=project, month=1).history.count() == 1


@pytest.mark.django_db
def test_any_bad_row_imports_nothing_and_every_bad_cell_is_reported():
    file = build(
        [
            listing("OK-1", 2025),
            listing("B-1", 2025, cells={"总投资（万元）": "三万"}),  # row 3
            listing("B-2", 2025, cells={"年度计划投资（万元）": -5}),  # row 4
            listing("B-3", 2025, cells={"项目级别": "国重点", "项目类型": "扩建"}),  # row 5
            listing("B-4", 2025, cells={"计划开工日期": "下个月"}),  # row 6
            listing("B-5", 2025, cells={"项目名称": None, "年度": "二〇二五"}),  # row 7
            listing("OK-1", 2025, cells={"年度计划投资（万元）": 999}),  # row 8: same project+year
            listing("OK-1", 2026, cells={"所属板块": "高校园区"}),  # row 9: project field differs
            listing("OK-1", 2025),  # row 10: an exact duplicate is only a warning
        ],
        [
            report("OK-1", 2025, 13, 10),  # row 2
            report("OK-1", 2025, 1, "abc"),  # row 3
            report("OK-1", 2025, 2, 10),
            report("OK-1", 2025, 2, 20),  # row 5: the same month twice, different amounts
            report("NOPE", 2025, 1, 10),  # row 6: unknown project
            report("OK-1", 2025, 3, None),  # row 7: required
        ],
    )
    plan = ledger_read(file, create_unknown=True)
    bad = {(problem.sheet, problem.row, problem.header) for problem in plan.errors}
    assert bad == {
        ("清单", 3, "总投资（万元）"),
        ("清单", 4, "年度计划投资（万元）"),
        ("清单", 5, "项目级别"),
        ("清单", 5, "项目类型"),
        ("清单", 6, "计划开工日期"),
        ("清单", 7, "项目名称"),
        ("清单", 7, "年度"),
        ("清单", 8, "年度"),
        ("清单", 9, "所属板块"),
        ("投资", 2, "月份"),
        ("投资", 3, "当月完成投资（万元）"),
        ("投资", 5, "当月完成投资（万元）"),
        ("投资", 6, "项目编号"),
        ("投资", 7, "当月完成投资（万元）"),
    }
    assert all(problem.message for problem in plan.errors)
    assert ("清单", 10) in {(w.sheet, w.row) for w in plan.warnings}
    with pytest.raises(LedgerRejected):
        ledger_apply(plan, by=None)
    assert not Project.objects.exists()
    assert not MonthlyReport.objects.exists()


@pytest.mark.django_db
def test_messages_follow_the_users_language():
    from django.utils import translation

    file = build([listing(cells={"总投资（万元）": "abc"})])
    with translation.override("en"):
        message = ledger_read(file).errors[0].message
    assert "not a number" in message


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value",
    [
        datetime.date(2023, 3, 15),
        datetime.datetime(2023, 3, 15, 0, 0),
        "2023-03-15",
        "2023/3/15",
        "2023年3月15日",
        " 2023.3.15 ",
        45000,  # an Excel serial number left unformatted: 2023-03-15
    ],
)
def test_dates_as_excel_dates_or_text(value):
    imported(build([listing(cells={"实际开工日期": value})]))
    assert Project.objects.get().actual_start == datetime.date(2023, 3, 15)


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["2023-02-30", "15/3/2023", "明天", 12])
def test_unreadable_dates_are_bad_rows(value):
    plan = ledger_read(build([listing(cells={"计划开工日期": value})]))
    assert [(p.row, p.header) for p in plan.errors] == [(2, "计划开工日期")]


@pytest.mark.django_db
def test_dates_that_happened_are_bounded_like_typed_ones_and_name_their_row_and_column(zone, login):
    from django.utils import timezone, translation

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    file = build(
        [
            listing("D-1", cells={"实际开工日期": datetime.date(1999, 12, 31)}),
            listing("D-2", cells={"签约日期": tomorrow}),
            listing("D-3", cells={"立项备案日期": "0001-01-01"}),  # text: Excel has no such date
            listing("D-4", cells={"计划开工日期": datetime.date(2101, 1, 1)}),
            listing("D-5", cells={"计划开工日期": "1025-03-01"}),
            listing("D-6"),  # a good row: all or nothing, it waits for the file to be corrected
        ]
    )
    with translation.override("en"):
        plan = ledger_read(file)
    found = {(p.row, p.header): p.message for p in plan.errors}
    assert set(found) == {
        (2, "实际开工日期"),
        (3, "签约日期"),
        (4, "立项备案日期"),
        (5, "计划开工日期"),
        (6, "计划开工日期"),
    }
    assert found[(2, "实际开工日期")].startswith("Enter a date from 2000-01-01 on.")
    assert found[(3, "签约日期")].startswith("The date cannot be in the future.")
    assert found[(5, "计划开工日期")].startswith("Enter a date between 2000 and 2100.")
    with pytest.raises(LedgerRejected):
        ledger_apply(plan, by=zone.coordinator)
    assert not Project.objects.filter(code__startswith="D-").exists()
    # The upload page says it in the user's language, naming the row and the column.
    file.seek(0)
    content = login(zone.coordinator).post("/ledger/import/", {"file": file}).content.decode()
    assert "<td>2</td><td>实际开工日期</td>" in content and "日期不能晚于今天" in content
    assert 'name="confirm"' not in content


@pytest.mark.django_db
def test_the_bounds_themselves_are_dates_that_import():
    from django.utils import timezone

    today = timezone.localdate()
    # In the order the stage rules ask: signed on the first day, started today.
    cells = {
        "签约日期": datetime.date(2000, 1, 1),
        "实际开工日期": today,
        "计划开工日期": datetime.date(2100, 12, 31),
    }
    imported(build([listing("B-1", cells=cells)]))
    project = Project.objects.get(code="B-1")
    assert (project.signed_on, project.actual_start, project.planned_start) == (
        datetime.date(2000, 1, 1),
        today,
        datetime.date(2100, 12, 31),
    )


@pytest.mark.django_db
def test_missing_column_and_missing_sheet():
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["项目编号", "项目名称", "项目级别", "项目类型", "年度"])
    handle = io.BytesIO()
    workbook.save(handle)
    plan = ledger_read(handle)
    assert "建设单位" in {p.header for p in plan.errors}

    workbook = Workbook()
    workbook.active.append(["whatever"])
    handle = io.BytesIO()
    workbook.save(handle)
    plan = ledger_read(handle)
    assert len(plan.errors) == 1 and plan.errors[0].row is None


@pytest.mark.django_db
@pytest.mark.parametrize("content", [b"", b"not a spreadsheet at all", b"PK\x03\x04broken zip"])
def test_corrupt_files_are_reported_not_raised(content):
    plan = ledger_read(io.BytesIO(content))
    assert len(plan.errors) == 1


@pytest.mark.django_db
def test_plausibility_warnings_do_not_block():
    file = build(
        [listing(cells={"总投资（万元）": 1000, "年度计划投资（万元）": 2000})],
        [
            report(month=1, amount=10),
            report(month=2, amount=10),
            report(month=3, amount=10),
            report(month=4, amount=900),
        ],
    )
    plan = ledger_read(file, create_unknown=True)
    assert plan.errors == []
    warned = {(w.sheet, w.row, w.header) for w in plan.warnings}
    assert ("清单", 2, "年度计划投资（万元）") in warned  # plan above total investment
    assert ("投资", 5, "当月完成投资（万元）") in warned  # ten times the usual month
    ledger_apply(plan, by=None)
    assert MonthlyReport.objects.count() == 4


@pytest.mark.django_db
def test_people_are_matched_by_name_or_created_without_a_login(zone):
    file = build([listing(cells={"挂钩委领导": "孙主任", "网格员": "新网格员"})])
    imported(file)
    project = Project.objects.get(code="L-001")
    assert project.leader == zone.leader.staff  # matched by name
    new = project.grid_worker
    assert new.name == "新网格员" and new.has_role(RoleCode.GRID_WORKER)
    assert new.user.username == person_username("新网格员")
    assert not new.user.is_active and not new.user.has_usable_password()
    # A matched person lacking the role is named with a warning; roles stay with administrators.
    plan = ledger_read(build([listing(cells={"挂钩委领导": "赵审批"})]))
    assert plan.errors == [] and any(w.header == "挂钩委领导" for w in plan.warnings)
    ledger_apply(plan, by=None)
    assert Project.objects.get(code="L-001").leader == zone.dept.staff
    assert not zone.dept.staff.has_role(RoleCode.LEADER)


@pytest.mark.django_db
def test_a_start_date_moves_a_project_in_preparation_to_construction(zone):
    row = {
        "项目名称": zone.project_b.name,
        "建设单位": zone.project_b.enterprise.name,
        "所属板块": zone.park_b.name,
        "年度": zone.year,
        "项目级别": "市重点",
        "总投资（万元）": 8000,
        "年度计划投资（万元）": 3000,
        "计划开工日期": zone.project_b.planned_start,
        "实际开工日期": datetime.date(zone.year, 9, 5),
        "挂钩委领导": "孙主任",
        "网格员": "李网格",
        "牵头部门": "行政审批局",
        "产业类别": "",
        "建设内容": "",
    }
    imported(build([listing("P-B1", zone.year, cells=row)], extra_sheet=False))
    zone.project_b.refresh_from_db()
    assert zone.project_b.stage == Stage.CONSTRUCTION
    assert zone.project_b.actual_start == datetime.date(zone.year, 9, 5)


@pytest.mark.django_db
def test_an_empty_start_date_keeps_the_recorded_start(zone):
    row = {"实际开工日期": None, "项目名称": zone.project_a.name, "所属板块": zone.park_a.name}
    plan = ledger_read(build([listing("P-A1", zone.year, cells=row)]))
    assert any(w.header == "实际开工日期" for w in plan.warnings)
    ledger_apply(plan, by=None)
    zone.project_a.refresh_from_db()
    assert zone.project_a.actual_start == datetime.date(zone.year, 2, 10)
    assert zone.project_a.stage == Stage.CONSTRUCTION


@pytest.mark.django_db
def test_locked_month_is_a_bad_row_unless_an_administrators_correction(zone):
    imported(build([listing()], [report(month=1, amount=100), report(month=2, amount=100)]))
    MonthLock.objects.create(year=2025, month=1, locked_by=zone.coordinator.staff)
    file = build([listing()], [report(month=1, amount=150), report(month=2, amount=100)])

    plan = ledger_read(file)
    assert [(p.sheet, p.row, p.header) for p in plan.errors] == [("投资", 2, "当月完成投资（万元）")]
    with pytest.raises(LedgerRejected):
        ledger_apply(plan, by=zone.coordinator)
    with pytest.raises(PermissionDenied):
        ledger_apply(ledger_read(file, as_correction=True), by=zone.coordinator, as_correction=True)
    assert MonthlyReport.objects.get(month=1).amount == Decimal("100")

    plan = ledger_read(file, as_correction=True)
    assert plan.errors == []
    ledger_apply(plan, by=zone.admin, as_correction=True)
    report_row = MonthlyReport.objects.get(month=1)
    assert report_row.amount == Decimal("150")
    assert report_row.history.latest().history_user == zone.admin
    correction = ReportCorrection.objects.get()
    assert (correction.old_amount, correction.new_amount) == (Decimal("100"), Decimal("150"))
    assert correction.status == CorrectionStatus.APPROVED and correction.decided_by == zone.admin.staff

    # Rows that leave a locked month as it is are fine.
    assert ledger_read(file).errors == []


# --- the command -----------------------------------------------------------------------------------


def write(tmp_path, handle, name="ledger.xlsx"):
    path = tmp_path / name
    path.write_bytes(handle.getvalue())
    return str(path)


@pytest.mark.django_db
def test_command_imports_and_reports(tmp_path):
    path = write(tmp_path, two_projects())
    # A first import into a zone with no parks at all: every park is unknown; nothing is created.
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_ledger", path, stdout=io.StringIO(), stderr=err)
    assert "航空航天产业园" in err.getvalue() and "--create-unknown" in err.getvalue()
    assert not Project.objects.exists() and not Park.objects.exists()
    out = io.StringIO()
    call_command("import_ledger", path, "--dry-run", "--create-unknown", stdout=out)
    assert not Project.objects.exists()
    assert "L-001" in out.getvalue()
    call_command("import_ledger", path, "--create-unknown", stdout=out)
    assert Project.objects.count() == 2
    out = io.StringIO()
    call_command("import_ledger", path, stdout=out)  # every name is known now
    assert Project.objects.count() == 2 and MonthlyReport.objects.count() == 3


@pytest.mark.django_db
def test_command_fails_on_a_bad_row(tmp_path):
    path = write(tmp_path, build([listing(), listing("X", cells={"项目级别": "?"})]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_ledger", path, stdout=io.StringIO(), stderr=err)
    assert "项目级别" in err.getvalue() and "3" in err.getvalue()
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_command_correction_needs_an_administrator(tmp_path, zone):
    path = write(tmp_path, build([listing(cells={"网格员": "李网格"})], [report(month=1, amount=1)]))
    MonthLock.objects.create(year=2025, month=1)
    with pytest.raises(CommandError):
        call_command("import_ledger", path, stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError):
        call_command("import_ledger", path, "--as-correction", "--user", "coordinator", stdout=io.StringIO())
    call_command("import_ledger", path, "--as-correction", "--user", "admin", stdout=io.StringIO())
    assert MonthlyReport.objects.get().amount == Decimal("1")


# --- the upload page -------------------------------------------------------------------------------


def upload(client, handle, name="ledger.xlsx", **data):
    handle.name = name
    return client.post("/ledger/import/", {"file": handle, **data})


@pytest.mark.django_db
def test_upload_previews_then_confirm_commits(zone, login):
    client = login(zone.coordinator)
    assert client.get("/ledger/import/").status_code == 200
    response = upload(client, two_projects())
    assert response.status_code == 200
    content = response.content.decode()
    assert "L-001" in content and 'name="confirm"' in content
    assert not Project.objects.filter(code="L-001").exists()  # nothing written before confirming
    stored = client.session["ledger_import"]["name"]
    assert default_storage.exists(stored)

    response = client.post("/ledger/import/", {"confirm": "1"})
    assert response.status_code == 302
    assert Project.objects.filter(code__in=["L-001", "L-002"]).count() == 2
    assert Project.objects.get(code="L-001").history.get().history_user == zone.coordinator
    assert not default_storage.exists(stored)
    assert "ledger_import" not in client.session
    # A second confirmation has nothing waiting: a message, not an error page.
    response = client.post("/ledger/import/", {"confirm": "1"}, follow=True)
    assert response.status_code == 200


@pytest.mark.django_db
def test_upload_with_bad_rows_shows_them_and_offers_no_confirmation(zone, login):
    client = login(zone.admin)
    response = upload(client, build([listing(cells={"总投资（万元）": -1})]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "总投资（万元）" in content and 'id="ledger-errors"' in content
    assert 'name="confirm"' not in content
    assert "ledger_import" not in client.session


@pytest.mark.django_db
def test_upload_cancel_discards_the_file(zone, login):
    client = login(zone.coordinator)
    upload(client, two_projects())
    stored = client.session["ledger_import"]["name"]
    client.post("/ledger/import/", {"cancel": "1"})
    assert not default_storage.exists(stored)
    assert not Project.objects.filter(code="L-001").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name"),
    [(b"garbage", "ledger.xlsx"), (b"a,b\n1,2\n", "ledger.csv"), (b"PK\x03\x04rest", "ledger.xlsx")],
)
def test_upload_of_a_corrupt_or_wrong_file_gives_a_message(zone, login, content, name):
    client = login(zone.coordinator)
    response = upload(client, io.BytesIO(content), name=name)
    assert response.status_code == 200
    assert (
        "invalid-feedback" in response.content.decode() or 'id="ledger-errors"' in response.content.decode()
    )
    assert "ledger_import" not in client.session


@pytest.mark.django_db
def test_upload_of_a_zip_that_is_not_a_workbook(zone, login):
    import zipfile

    handle = io.BytesIO()
    with zipfile.ZipFile(handle, "w") as archive:
        archive.writestr("hello.txt", "hello")
    handle.seek(0)
    response = upload(login(zone.coordinator), handle)
    assert response.status_code == 200 and 'id="ledger-errors"' in response.content.decode()


@pytest.mark.django_db
def test_upload_too_large(zone, login, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    response = upload(login(zone.coordinator), two_projects())
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["grid", "dept", "leader", "supervisor", "nobody"])
def test_only_coordinators_and_administrators_import(zone, login, persona):
    client = login(getattr(zone, persona))
    assert client.get("/ledger/import/").status_code == 403
    assert upload(client, two_projects()).status_code == 403
    assert client.post("/ledger/import/", {"confirm": "1"}).status_code == 403
    assert not Project.objects.filter(code="L-001").exists()


@pytest.mark.django_db
def test_only_administrators_are_offered_the_correction(zone, login):
    assert "as_correction" not in login(zone.coordinator).get("/ledger/import/").content.decode()
    assert "as_correction" in login(zone.admin).get("/ledger/import/").content.decode()
    assert "as_correction" in login(zone.superuser).get("/ledger/import/").content.decode()


@pytest.mark.django_db
def test_coordinator_cannot_smuggle_a_correction(zone, login):
    imported(build([listing()], [report(month=1, amount=100)]))
    MonthLock.objects.create(year=2025, month=1)
    client = login(zone.coordinator)
    response = upload(client, build([listing()], [report(month=1, amount=999)]), as_correction="on")
    assert 'id="ledger-errors"' in response.content.decode()
    assert "ledger_import" not in client.session
    assert MonthlyReport.objects.get().amount == Decimal("100")


@pytest.mark.django_db
def test_an_administrator_corrects_a_locked_month_through_the_page(zone, login):
    imported(build([listing()], [report(month=1, amount=100)]))
    MonthLock.objects.create(year=2025, month=1)
    client = login(zone.admin)
    upload(client, build([listing()], [report(month=1, amount=120)]), as_correction="on")
    assert client.post("/ledger/import/", {"confirm": "1"}).status_code == 302
    assert MonthlyReport.objects.get().amount == Decimal("120")
    assert ReportCorrection.objects.filter(requested_by=zone.admin.staff).exists()


@pytest.mark.django_db
def test_import_button_only_for_importers(zone, login):
    assert "/ledger/import/" in login(zone.coordinator).get("/projects/").content.decode()
    page = login(zone.grid).get("/projects/").content.decode()
    assert "/ledger/import/" not in page and "/projects/export.xlsx" in page


@pytest.mark.django_db
def test_import_queries_do_not_grow_with_the_rows(zone):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(count, prefix, amount=10):
        codes = [f"{prefix}-{i:03d}" for i in range(count)]
        file = build(
            [listing(code, cells={"挂钩委领导": "孙主任", "网格员": "王网格"}) for code in codes],
            [report(code, month=1, amount=amount) for code in codes],
        )
        with CaptureQueriesContext(connection) as captured:
            ledger_apply(ledger_read(file), by=zone.admin)
        return len(captured)

    queries(1, "WARM")  # creates the enterprise the other files share
    # Twelve times the rows costs at most a few more INSERT/UPDATE batches (SQLite caps the
    # parameters of one statement), never a query per row; new projects also get their node
    # plans, ten nodes each, whose inserts and history rows come in batches of the same kind.
    node_batches = 2 * -(-60 * 10 // (999 // 16)) if connection.vendor == "sqlite" else 2
    assert queries(60, "B") - queries(5, "A") <= 6 + node_batches
    assert queries(60, "B", amount=20) - queries(5, "A", amount=20) <= 6  # updates
    assert Project.objects.filter(code__startswith="B-").count() == 60
    assert MonthlyReport.objects.filter(project__code__startswith="B-", amount=20).count() == 60


@pytest.mark.django_db
def test_a_bad_listings_row_does_not_also_make_its_reports_unknown():
    plan = ledger_read(build([listing(cells={"总投资（万元）": "x"})], [report(month=1)]))
    assert [(p.sheet, p.header) for p in plan.errors] == [("清单", "总投资（万元）")]


@pytest.mark.django_db
def test_confirm_after_the_month_was_locked_shows_the_new_report(zone, login):
    imported(build([listing()], [report(month=1, amount=100)]))
    client = login(zone.coordinator)
    upload(client, build([listing()], [report(month=1, amount=200)]))
    MonthLock.objects.create(year=2025, month=1)  # locked between the preview and the confirmation
    response = client.post("/ledger/import/", {"confirm": "1"})
    assert response.status_code == 200 and 'id="ledger-errors"' in response.content.decode()
    assert MonthlyReport.objects.get().amount == Decimal("100")


@pytest.mark.django_db
def test_a_concurrent_import_gives_a_message_not_an_error_page(zone, login, monkeypatch):
    from django.db import IntegrityError

    from projects import ledger

    client = login(zone.coordinator)
    upload(client, two_projects())

    def collide(*args, **kwargs):
        raise IntegrityError("duplicate key")

    monkeypatch.setattr(ledger, "ledger_apply", collide)
    response = client.post("/ledger/import/", {"confirm": "1"}, follow=True)
    assert response.status_code == 200
    assert "ledger_import" not in client.session
