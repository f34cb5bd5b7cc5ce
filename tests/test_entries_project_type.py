"""The ledger's 项目类别 column (issue #15): the project type that chooses the node-plan template, in
the template, the export and the import, matched by its words; an unknown word is a bad cell."""

import io

import pytest

from projects.exports import EXAMPLE_ROW
from projects.ledger import LISTING_HEADERS, ledger_apply, ledger_read
from projects.models import PlanNode, Project, ProjectType
from tests.ledger_book import build, listing, read_back

pytestmark = pytest.mark.django_db


def imported(file, **kwargs):
    plan = ledger_read(file, create_unknown=True)
    assert plan.errors == []
    ledger_apply(plan, by=None, **kwargs)
    return plan


@pytest.mark.parametrize(
    ("word", "project_type"),
    [
        ("工业新建", ProjectType.NEW_BUILD),
        ("扩建/技术改造", ProjectType.EXPANSION),
        ("技改项目", ProjectType.EXPANSION),
        ("改扩建", ProjectType.EXPANSION),
        (" 基础设施 ", ProjectType.INFRASTRUCTURE),
        ("基建", ProjectType.INFRASTRUCTURE),
        ("infrastructure", ProjectType.INFRASTRUCTURE),
    ],
)
def test_the_type_is_read_from_its_words_and_the_plan_follows_it(word, project_type):
    imported(build([listing(cells={"项目类别": word})]))
    project = Project.objects.get()
    assert project.project_type == project_type
    nodes = PlanNode.objects.filter(project=project).select_related("template")
    assert nodes and {node.template.project_type for node in nodes} == {project_type}


def test_an_unknown_type_is_a_bad_cell_naming_the_choices_and_nothing_is_imported():
    plan = ledger_read(build([listing(cells={"项目类别": "商业综合体"})]), create_unknown=True)
    assert [(p.row, p.header) for p in plan.errors] == [(2, "项目类别")]
    message = str(plan.errors[0].message)
    assert "工业新建" in message and "基础设施" in message and "商业综合体" in message
    assert not Project.objects.exists()


def test_an_empty_type_is_new_build_for_a_new_project_and_kept_for_an_existing_one(zone):
    imported(build([listing()]))
    assert Project.objects.get(code="L-001").project_type == ProjectType.NEW_BUILD

    Project.objects.filter(pk=zone.project_a.pk).update(project_type=ProjectType.EXPANSION)
    row = {
        "项目名称": zone.project_a.name,
        "所属板块": zone.park_a.name,
        "实际开工日期": zone.project_a.actual_start,
    }
    plan = ledger_read(build([listing("P-A1", zone.year, cells=row)]), create_unknown=True)
    assert not [d for change in plan.changes for d in change.fields if d[0] == "项目类别"]
    ledger_apply(plan, by=None)
    assert Project.objects.get(pk=zone.project_a.pk).project_type == ProjectType.EXPANSION


def test_a_changed_type_is_shown_in_words_with_a_warning_about_the_plan(zone):
    row = {
        "项目名称": zone.project_a.name,
        "所属板块": zone.park_a.name,
        "实际开工日期": zone.project_a.actual_start,
        "项目类别": "基础设施",
    }
    plan = ledger_read(build([listing("P-A1", zone.year, cells=row)]), create_unknown=True)
    diffs = [d for change in plan.changes for d in change.fields if d[0] == "项目类别"]
    assert diffs == [("项目类别", "工业新建", "基础设施")]
    assert any(w.header == "项目类别" for w in plan.warnings)
    ledger_apply(plan, by=None)
    assert Project.objects.get(pk=zone.project_a.pk).project_type == ProjectType.INFRASTRUCTURE


def test_a_zones_own_header_is_recognised():
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["2025年重点项目推进情况表"])
    sheet.append(
        [
            "序号",
            "项目名称",
            "建设单位",
            "所在园区",
            "项目级别",
            "项目类型",
            "项目分类",
            "总投资（万元）",
            "2025年计划投资",
        ]
    )
    sheet.append([1, "某扩建项目", "某公司", "航空航天产业园", "市重点", "续建", "扩建", 9000, 3000])
    handle = io.BytesIO()
    workbook.save(handle)
    handle.seek(0)
    imported(handle)
    assert Project.objects.get().project_type == ProjectType.EXPANSION


def test_the_template_and_the_export_carry_the_type_and_reimport_unchanged(zone, login):
    assert EXAMPLE_ROW[LISTING_HEADERS.index("项目类别")] == "工业新建"
    template = read_back(b"".join(login(zone.coordinator).get("/ledger/template.xlsx").streaming_content))
    assert "项目类别" in template["项目清单"][0]

    Project.objects.filter(pk=zone.project_b.pk).update(project_type=ProjectType.INFRASTRUCTURE)
    content = b"".join(login(zone.coordinator).get("/projects/export.xlsx").streaming_content)
    rows = read_back(content)["项目清单"]
    column = rows[0].index("项目类别")
    types = {row[0]: row[column] for row in rows[1:]}
    assert types == {zone.project_a.code: "工业新建", zone.project_b.code: "基础设施"}
    plan = ledger_read(io.BytesIO(content))
    assert plan.errors == [] and plan.changes == []
