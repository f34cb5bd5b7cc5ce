"""A zone's own tables import without retyping, and no typo of a name creates anything (issue 14)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from projects.figures import dashboard_figures
from projects.ledger import LedgerRejected, ledger_apply, ledger_read
from projects.models import (
    ColumnAlias,
    Department,
    ListingKind,
    ListingLevel,
    MonthlyReport,
    NameAlias,
    NameKind,
    Park,
    Project,
    RoleCode,
    Staff,
)
from tests.ledger_book import build, listing, single_table, typo_file, unknown_column_file
from tests.zone_tables import projects, zone_table

D = Decimal


def read_ok(file, **kwargs):
    plan = ledger_read(file, **kwargs)
    assert plan.errors == [], plan.sorted_errors()
    return plan


def imported(file, **kwargs):
    plan = read_ok(file, **kwargs)
    ledger_apply(plan, by=None)
    return plan


def by_name():
    """The imported projects (the zone's own two have template codes) by name."""
    imported_projects = Project.objects.filter(code__startswith="XM-")
    return {p.name: p for p in imported_projects.select_related("park", "leader", "lead_department")}


# --- real layouts ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_zone_table_imports_to_the_exact_figures(zone):
    """Title and 单位 note rows, a merged two-row header, sections, 小计/合计, no code, 1-5月累计."""
    plan = imported(zone_table())
    assert plan.counts["project:created"] == 4 and plan.warnings == []
    read_as = {header: key for _sheet, _letter, header, key, _unit in plan.columns}
    assert read_as["开工时间计划"] == "计划开工日期" and read_as["开工时间实际"] == "实际开工日期"
    assert ("重点项目", "L", "备注") in plan.ignored_columns

    found = by_name()
    stator = found["驱动电机定子项目"]
    assert stator.total_investment == D("50000.00")  # 5 亿元 from the 单位 note
    assert stator.planned_start == datetime.date(2025, 3, 1)  # 2025.3.1
    assert stator.actual_start == datetime.date(2025, 3, 15)  # 2025/3/15
    assert stator.leader == zone.leader.staff and stator.lead_department == zone.edb
    assert stator.park == zone.park_a and stator.code.startswith("XM-")
    composite = found["航空复材项目"]
    assert composite.total_investment == D("12300.00")  # 1.23 亿元, exactly
    assert composite.planned_start == datetime.date(2025, 4, 1) and composite.actual_start is None
    listings = {
        p.name: (row.year, row.level, row.kind, row.planned_investment)
        for p in found.values()
        for row in p.listings.all()
    }
    assert listings == {
        "驱动电机定子项目": (2025, ListingLevel.PROVINCE, ListingKind.NEW, D("25000.00")),
        "航空复材项目": (2025, ListingLevel.PROVINCE, ListingKind.NEW, D("5678.00")),
        "高校实验楼项目": (2025, ListingLevel.PROVINCE, ListingKind.CONTINUING, D("3000.00")),
        "新材料产业基地": (2025, ListingLevel.CITY, ListingKind.NEW, D("30000.00")),
    }
    # The year-to-date column carries its own unit (万元): month 5 gets it, to the cent.
    reports = {(r.project.name, r.month): r.amount for r in MonthlyReport.objects.select_related("project")}
    assert reports[("驱动电机定子项目", 5)] == D("8000.50")
    assert reports[("高校实验楼项目", 5)] == D("1200.00")
    # The same file again changes nothing.
    assert ledger_read(zone_table()).changes == []


@pytest.mark.django_db
def test_the_zone_table_gives_the_same_dashboard_as_the_same_data_in_our_template(zone):
    imported(zone_table())
    from_zone_table = dashboard_figures(year=2025, month=5, user=zone.superuser)
    Project.objects.filter(code__startswith="XM-").delete()

    rows = []
    for level_title, kind_title, item in projects():
        name, enterprise, park, total, planned, planned_start, actual_start, done = item
        rows.append(
            listing(
                f"T-{len(rows)}",
                2025,
                cells={
                    "项目名称": name,
                    "建设单位": enterprise,
                    "所属板块": park,
                    "项目级别": "省重点" if "省" in level_title else "市重点",
                    "项目类型": "续建" if "续建" in kind_title else "新建",
                    "总投资（万元）": D(str(total)) * 10000,
                    "年度计划投资（万元）": D(str(planned)) * 10000,
                    "计划开工日期": planned_start,
                    "实际开工日期": actual_start,
                    "网格员": None,
                },
            )
        )
    reports = [
        {"项目编号": row["项目编号"], "年度": 2025, "月份": 5, "当月完成投资（万元）": item[-1]}
        for row, (_l, _k, item) in zip(rows, projects(), strict=True)
    ]
    imported(build(rows, reports))
    from_template = dashboard_figures(year=2025, month=5, user=zone.superuser)
    for key in ("projects", "new_projects", "new_projects_started", "start_rate", "planned_investment"):
        assert from_template[key] == from_zone_table[key], key
    assert from_template["completed_investment"] == from_zone_table["completed_investment"] == D("9200.50")


@pytest.mark.django_db
def test_the_next_months_cumulative_file_records_that_month_alone(zone):
    imported(zone_table(months=5))
    codes = set(Project.objects.values_list("code", flat=True))
    plan = imported(zone_table(months=6, ytd={"驱动电机定子项目": 9000.5, "高校实验楼项目": 1200}))
    assert set(Project.objects.values_list("code", flat=True)) == codes  # the same projects, by name
    stator = MonthlyReport.objects.filter(project__name="驱动电机定子项目")
    assert dict(stator.values_list("month", "amount")) == {5: D("8000.50"), 6: D("1000.00")}
    lab = MonthlyReport.objects.filter(project__name="高校实验楼项目")
    assert dict(lab.values_list("month", "amount")) == {5: D("1200.00"), 6: D("0.00")}
    assert plan.counts["report:created"] == 4
    assert (
        ledger_read(zone_table(months=6, ytd={"驱动电机定子项目": 9000.5, "高校实验楼项目": 1200})).changes
        == []
    )
    # A year-to-date below what is already recorded is a bad row, reported where it is.
    plan = ledger_read(zone_table(months=7, ytd={"驱动电机定子项目": 100}))
    assert [(p.row, p.header) for p in plan.errors] == [(7, "1-7月累计完成（万元）")]


@pytest.mark.django_db
def test_a_subtotal_that_does_not_add_up_is_a_warning(zone):
    plan = read_ok(zone_table(subtotal_error=True))
    mismatches = [(w.row, w.header) for w in plan.warnings]
    assert mismatches == [(9, "总投资"), (12, "总投资"), (16, "总投资")]
    assert all("小计" in w.message for w in plan.warnings)


@pytest.mark.django_db
def test_units_in_the_headers_the_year_from_the_title_and_header_synonyms(zone):
    header = [
        "项目",
        "业主单位",
        "属地",
        "总投资（亿元）",
        "年度计划（万元）",
        "级别",
        "建设性质",
        "实际开工时间",
        "包挂领导",
        "牵头单位",
        "建设内容及规模",
    ]
    rows = [
        [
            "复材二期",
            "联博新能源汽车驱动电机有限公司",
            "高校园区",
            1.5,
            800.25,
            "市重点",
            "续建",
            datetime.date(2024, 2, 1),
            "孙主任",
            "行政审批局",
            "厂房",
        ]
    ]
    imported(single_table(header, rows))
    project = Project.objects.get(name="复材二期")
    assert project.total_investment == D("15000.00") and project.content == "厂房"
    assert project.lead_department == zone.approval and project.actual_start == datetime.date(2024, 2, 1)
    listing_row = project.listings.get()
    assert (listing_row.year, listing_row.level, listing_row.kind) == (
        2024,
        ListingLevel.CITY,
        ListingKind.CONTINUING,
    )
    assert listing_row.planned_investment == D("800.25")


@pytest.mark.django_db
def test_without_a_year_anywhere_each_row_says_so(zone):
    header = ["项目名称", "建设单位", "所属板块", "总投资", "年度计划投资", "项目级别", "项目类型"]
    plan = ledger_read(
        single_table(header, [["甲", "甲公司", "高校园区", 1, 1, "省重点", "新建"]], title=None)
    )
    assert [(p.row, p.header) for p in plan.errors] == [(2, "年度")]
    assert "2025年计划投资" in plan.errors[0].message


@pytest.mark.django_db
def test_a_project_without_a_code_keeps_its_code_across_files_and_years(zone):
    imported(zone_table(year=2025))
    codes = dict(Project.objects.filter(code__startswith="XM-").values_list("name", "code"))
    plan = imported(zone_table(year=2026))
    assert dict(Project.objects.exclude(code__in=["P-A1", "P-B1"]).values_list("name", "code")) == codes
    assert {row[3] for row in plan.matches} == set(codes.values())  # the preview shows each match
    assert Project.objects.get(name="驱动电机定子项目").listings.count() == 2
    # A project first typed into our template with its own code is found by name and enterprise.
    header = [
        "项目名称",
        "建设单位",
        "所属板块",
        "总投资（万元）",
        "年度计划投资（万元）",
        "项目级别",
        "项目类型",
        "年度",
    ]
    a = zone.project_a
    plan = read_ok(
        single_table(
            header, [[a.name, a.enterprise.name, a.park.name, a.total_investment, 1, "省重点", "新建", 2027]]
        )
    )
    assert plan.matches == [(3, a.name, a.enterprise.name, a.code)]
    assert plan.counts["listing:created"] == 1 and "project:created" not in plan.counts


@pytest.mark.django_db
def test_a_column_mapped_once_is_read_in_the_next_file(zone):
    plan = read_ok(unknown_column_file())
    assert ("Sheet", "H", "服务专员") in plan.ignored_columns
    ColumnAlias.objects.create(header="服务专员", field="网格员")
    imported(unknown_column_file())
    assert Project.objects.get(name="甲项目").grid_worker == zone.grid_b.staff


# --- unknown names -------------------------------------------------------------------------------


def counts():
    return Park.objects.count(), Department.objects.count(), Staff.objects.count(), Project.objects.count()


@pytest.mark.django_db
def test_typos_are_questions_with_suggestions_and_create_nothing(zone, people):
    before = counts()
    plan = ledger_read(typo_file())
    suggested = {
        (u.kind, u.name): [(name, reason) for _pk, name, reason in u.suggestions] for u in plan.unknown_names
    }
    assert suggested[(NameKind.PARK, "航天航空产业园")][0][0] == "航空航天产业园"
    assert suggested[(NameKind.DEPARTMENT, "经发局")][0] == ("经济发展局", "简称")
    assert suggested[(NameKind.PERSON, "陈建图")][0][0] == "陈建国"
    assert suggested[(NameKind.PERSON, "王蕾")][0] == ("王磊", "同音")
    assert {(p.row, p.header) for p in plan.errors} == {
        (2, "所属板块"),
        (2, "牵头部门"),
        (2, "挂钩委领导"),
        (2, "网格员"),
    }
    assert "航空航天产业园" in plan.errors[0].message or any(
        "航空航天产业园" in p.message for p in plan.errors
    )
    with pytest.raises(LedgerRejected):
        ledger_apply(plan, by=None)
    assert counts() == before

    decisions = {
        "park:航天航空产业园": str(zone.park_a.pk),
        "department:经发局": str(zone.edb.pk),
        "person:陈建图": str(people["陈建国"].pk),
        "person:王蕾": str(people["王磊"].pk),
    }
    plan = read_ok(typo_file(), decisions=decisions)
    ledger_apply(plan, by=zone.coordinator)
    project = Project.objects.get(code="T-1")
    assert (project.park, project.lead_department) == (zone.park_a, zone.edb)
    assert (project.leader, project.grid_worker) == (people["陈建国"], people["王磊"])
    assert counts() == (before[0], before[1], before[2], before[3] + 1)
    aliases = {(a.kind, a.alias): a.target for a in NameAlias.objects.all()}
    assert aliases[(NameKind.DEPARTMENT, "经发局")] == zone.edb and len(aliases) == 4
    assert NameAlias.objects.get(alias="王蕾").created_by == zone.coordinator.staff
    # The next file is understood without asking.
    assert ledger_read(typo_file()).errors == []


@pytest.mark.django_db
def test_create_new_is_an_explicit_answer(zone, people):
    plan = read_ok(
        typo_file(),
        decisions={
            "park:航天航空产业园": "new",
            "department:经发局": str(zone.edb.pk),
            "person:陈建图": "new",
            "person:王蕾": str(people["王磊"].pk),
        },
    )
    ledger_apply(plan, by=None)
    assert Park.objects.filter(name="航天航空产业园").exists()
    assert Staff.objects.get(name="陈建图").has_role(RoleCode.LEADER)
    assert not NameAlias.objects.filter(alias="航天航空产业园").exists()
    # A decision naming something that does not exist is no answer at all.
    for junk in ("999999", "²", "-1", "abc"):
        plan = ledger_read(
            build([listing("T-2", cells={"所属板块": "某园区"})]), decisions={"park:某园区": junk}
        )
        assert [u.name for u in plan.unknown_names] == ["某园区"]


@pytest.mark.django_db
def test_the_command_stops_on_unknown_names_and_prints_suggestions(zone, people, tmp_path):
    path = tmp_path / "typos.xlsx"
    path.write_bytes(typo_file().getvalue())
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_ledger", str(path), stdout=io.StringIO(), stderr=err)
    assert "航空航天产业园" in err.getvalue() and "经济发展局" in err.getvalue() and "王磊" in err.getvalue()
    assert not Project.objects.filter(code="T-1").exists()
    call_command("import_ledger", str(path), "--create-unknown", stdout=io.StringIO())
    assert Project.objects.get(code="T-1").park.name == "航天航空产业园"


# --- the page ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_preview_asks_and_remembers_the_answers(zone, people, login):
    client = login(zone.coordinator)
    handle = typo_file()
    response = client.post("/ledger/import/", {"file": handle})
    content = response.content.decode()
    assert response.status_code == 200 and 'id="ledger-unknown-names"' in content
    assert "航空航天产业园" in content and 'name="confirm"' not in content
    keys = {
        f"key-{i}": key
        for i, key in enumerate(
            sorted(["department:经发局", "park:航天航空产业园", "person:王蕾", "person:陈建图"])
        )
    }
    answers = {
        "department:经发局": zone.edb.pk,
        "park:航天航空产业园": zone.park_a.pk,
        "person:王蕾": people["王磊"].pk,
        "person:陈建图": people["陈建国"].pk,
    }
    # Junk answers are no answers (and no error page).
    junk = {"answer": "1", "names": "²", "key-0": "park:航天航空产业园", "name-0": "²"}
    assert client.post("/ledger/import/", junk).status_code == 200
    data = {"answer": "1", "names": "4", **keys}
    data |= {f"name-{i}": answers[key] for i, key in enumerate(sorted(answers))}
    response = client.post("/ledger/import/", data)
    assert 'name="confirm"' in response.content.decode()
    assert not Project.objects.filter(code="T-1").exists()
    response = client.post("/ledger/import/", {"confirm": "1"})
    assert response.status_code == 302
    assert Project.objects.get(code="T-1").park == zone.park_a
    assert NameAlias.objects.count() == 4


@pytest.mark.django_db
def test_the_preview_maps_a_column_for_the_next_file(zone, login):
    client = login(zone.coordinator)
    content = client.post("/ledger/import/", {"file": unknown_column_file()}).content.decode()
    assert 'id="ledger-ignored-columns"' in content and "服务专员" in content
    client.post("/ledger/import/", {"answer": "1", "names": "0", "column": "服务专员", "means": "网格员"})
    assert ColumnAlias.objects.get(header="服务专员").field == "网格员"
    client.post("/ledger/import/", {"confirm": "1"})
    assert Project.objects.get(name="甲项目").grid_worker == zone.grid_b.staff
