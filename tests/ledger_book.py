"""Real .xlsx ledgers for the ledger tests, built with openpyxl."""

import datetime
import io

from openpyxl import Workbook, load_workbook

from projects.ledger import LISTING_HEADERS, REPORT_HEADERS


def listing(code="L-001", year=2025, **overrides):
    """One listings row as a dict keyed by header; overrides use the headers as keys via `cells`."""
    row = {
        "项目编号": code,
        "项目名称": f"项目{code}",
        "建设单位": "镇江某某科技有限公司",
        "所属板块": "航空航天产业园",
        "年度": year,
        "项目级别": "省重点",
        "项目类型": "新建",
        "产业类别": "高端装备",
        "总投资（万元）": 30000,
        "年度计划投资（万元）": 12000,
        "计划开工日期": datetime.date(2025, 3, 1),
        "实际开工日期": None,
        "挂钩委领导": "孙主任",
        "网格员": "王网格",
        "牵头部门": "经济发展局",
        "建设内容": "新建厂房",
    }
    row.update(overrides.pop("cells", {}))
    assert not overrides, overrides
    return row


def report(code="L-001", year=2025, month=1, amount=1000):
    return {"项目编号": code, "年度": year, "月份": month, "当月完成投资（万元）": amount}


def build(listings=(), reports=(), *, reports_first=False, title_row=False, extra_sheet=True):
    """An .xlsx file (BytesIO) with the listings and reports sheets; sheet order and names vary."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    if extra_sheet:
        workbook.create_sheet("封面").append(["2025年重点项目台账"])

    def add_listings():
        sheet = workbook.create_sheet("清单")
        if title_row:
            sheet.append(["新区重点项目清单"])
        sheet.append(LISTING_HEADERS)
        for row in listings:
            sheet.append([row.get(header) for header in LISTING_HEADERS])

    def add_reports():
        sheet = workbook.create_sheet("投资")
        sheet.append(REPORT_HEADERS)
        for row in reports:
            sheet.append([row.get(header) for header in REPORT_HEADERS])

    for add in (add_reports, add_listings) if reports_first else (add_listings, add_reports):
        add()
    handle = io.BytesIO()
    workbook.save(handle)
    handle.seek(0)
    handle.name = "ledger.xlsx"
    return handle


def read_back(content):
    """{sheet title: [rows as tuples]} of an .xlsx given as bytes."""
    workbook = load_workbook(io.BytesIO(content), data_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets}


def single_table(header, rows, *, title="2024年重点项目清单"):
    """A zone's own one-sheet table: a title row, then the header and the rows as given."""
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    handle = io.BytesIO()
    workbook.save(handle)
    handle.seek(0)
    return handle


def unknown_column_file():
    """A zone table of one project whose last column, 服务专员 (the zone's word for the grid worker,
    李网格 of 高校园区 in the test zone), is one the reader does not know until it is mapped."""
    handle = single_table(
        ["项目名称", "建设单位", "所属板块", "总投资", "年度计划投资", "项目级别", "项目类型", "服务专员"],
        [["甲项目", "甲公司", "高校园区", 1, 1, "省重点", "新建", "李网格"]],
    )
    handle.name = "zone.xlsx"
    return handle


def typo_file():
    """One listing whose park, department, leader and grid worker are misspelt (see `people`)."""
    return build(
        [
            listing(
                "T-1",
                2025,
                cells={
                    "所属板块": "航天航空产业园",
                    "牵头部门": "经发局",
                    "挂钩委领导": "陈建图",
                    "网格员": "王蕾",
                },
            )
        ]
    )
