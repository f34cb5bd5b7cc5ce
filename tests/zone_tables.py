"""A zone's own key-project tables, as zones keep them, built with openpyxl (real .xlsx, merged cells)."""

import datetime
import io

from openpyxl import Workbook

# Each project: name, enterprise, park, total (亿元), planned (亿元), planned start, actual start,
# year-to-date (万元), leader, department, content — under a section giving level and kind.
SECTIONS = [
    (
        "一、省重点项目",
        [
            (
                "（一）新建项目",
                [
                    (
                        "驱动电机定子项目",
                        "联博新能源有限公司",
                        "航空航天产业园",
                        5,
                        2.5,
                        "2025.3.1",
                        "2025/3/15",
                        8000.5,
                    ),
                    (
                        "航空复材项目",
                        "镇江复材科技有限公司",
                        "航空航天产业园",
                        1.23,
                        0.5678,
                        "2025年4月1日",
                        None,
                        0,
                    ),
                ],
            ),
            (
                "（二）续建项目",
                [
                    (
                        "高校实验楼项目",
                        "江大科技有限公司",
                        "高校园区",
                        0.8,
                        0.3,
                        datetime.date(2024, 5, 1),
                        "2024-05-20",
                        1200,
                    )
                ],
            ),
        ],
    ),
    (
        "二、市重点项目",
        [
            (
                "（一）新建项目",
                [("新材料产业基地", "镇江新材料有限公司", "高校园区", 12, 3, "2025-06-01", None, 0)],
            )
        ],
    ),
]
LEADER, DEPARTMENT = "孙主任", "经济发展局"


def projects():
    """[(level word, kind word, project tuple)] in table order."""
    rows = []
    for level_title, subsections in SECTIONS:
        for kind_title, items in subsections:
            for item in items:
                rows.append((level_title, kind_title, item))
    return rows


def zone_table(*, months=5, ytd=None, year=2025, subtotal_error=False):
    """The 1-M月 推进情况表: title, unit note, a two-row merged header, sections, 小计 and 合计 rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "重点项目"
    sheet.append([f"镇江新区{year}年1-{months}月重点项目推进情况表"])
    sheet.merge_cells("A1:L1")
    sheet.append([None] * 11 + ["单位：亿元"])
    sheet.append(
        [
            "序号",
            "项目名称",
            "项目单位",
            "所在园区",
            "总投资",
            f"{year}年计划投资",
            "开工时间",
            None,
            f"1-{months}月累计完成（万元）",
            "挂钩领导",
            "责任单位",
            "备注",
        ]
    )
    sheet.append([None, None, None, None, None, None, "计划", "实际", None, None, None, None])
    for column in "ABCDEFIJKL":
        sheet.merge_cells(f"{column}3:{column}4")
    sheet.merge_cells("G3:H3")
    serial = 0
    grand = [0, 0, 0]
    for level_title, subsections in SECTIONS:
        sheet.append([level_title])
        for kind_title, items in subsections:
            sheet.append([kind_title])
            sub = [0, 0, 0]
            for name, enterprise, park, total, planned, planned_start, actual_start, done in items:
                serial += 1
                figure = (ytd or {}).get(name, done)
                sheet.append(
                    [
                        serial,
                        name,
                        enterprise,
                        park,
                        total,
                        planned,
                        planned_start,
                        actual_start,
                        figure,
                        LEADER,
                        DEPARTMENT,
                        "按期推进",
                    ]
                )
                sub = [sub[0] + total, sub[1] + planned, sub[2] + figure]
            grand = [a + b for a, b in zip(grand, sub, strict=True)]
            if subtotal_error:
                sub[0] += 1
            sheet.append(["小计", None, None, None, round(sub[0], 4), round(sub[1], 4), None, None, sub[2]])
    sheet.append(["合计", None, None, None, round(grand[0], 4), round(grand[1], 4), None, None, grand[2]])
    sheet.append(["注：开工时间以施工许可为准。"])
    return _saved(workbook)


def _saved(workbook):
    handle = io.BytesIO()
    workbook.save(handle)
    handle.seek(0)
    handle.name = "zone.xlsx"
    return handle
