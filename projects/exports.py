"""Excel exports, written with openpyxl's write-only workbook (rows streamed to a temporary file, so
memory stays bounded whatever the number of rows) and sent with FileResponse.

The project export uses the ledger template's headers exactly, so an export re-imports unchanged.
"""

import datetime
import tempfile

from django.db.models import Case, Value, When
from django.http import FileResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from . import ledger
from .models import Listing, MonthlyReport
from .querysets import overdue_q

CHUNK = 2000
DATE_FORMAT = "yyyy-mm-dd"
# Text Excel (or LibreOffice, or a CSV save of the sheet) would take for a formula when edited.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def _cells(sheet, values, bold=False):
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            # User text is always text: openpyxl writes a string that starts with "=" as a formula.
            cell.data_type = "s"
            if value.startswith(FORMULA_STARTS):
                cell.quotePrefix = True  # stays text when the cell is edited; the value is unchanged
        if bold:
            cell.font = Font(bold=True)
        elif isinstance(value, datetime.date):
            cell.number_format = DATE_FORMAT
        cells.append(cell)
    return cells


def workbook_write(sheets, handle, progress=None):
    """Write `sheets` ([(title, headers, rows iterable, column widths or None)]) as .xlsx to `handle`.

    `progress(rows_written)` is called after each row (a background job's progress bar).
    """
    workbook = Workbook(write_only=True)
    written = 0
    for title, headers, rows, widths in sheets:
        sheet = workbook.create_sheet(title)
        for index, width in enumerate(widths or [], start=1):
            sheet.column_dimensions[_column_letter(index)].width = width
        if headers:
            sheet.append(_cells(sheet, headers, bold=True))
        for row in rows:
            sheet.append(_cells(sheet, row))
            written += 1
            if progress:
                progress(written)
    workbook.save(handle)


def workbook_response(sheets, filename):
    """`sheets` (as for workbook_write) → an .xlsx download.

    The workbook goes to an anonymous temporary file that FileResponse streams and then closes
    (which deletes it).
    """
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
    workbook_write(sheets, handle)
    handle.seek(0)
    response = FileResponse(handle, as_attachment=True, filename=filename)
    response["Content-Type"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return response


def _column_letter(index):
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


LEDGER_WIDTHS = [14, 30, 26, 16, 8, 10, 10, 12, 14, 16, 14, 14, 10, 12, 12, 16, 40, 14, 14, 14, 12, 12]


def ledger_listing_rows(listings):
    """Rows of the listings sheet, in the template's column order; `listings` is select_related."""
    for listing in listings:
        project = listing.project
        yield [
            project.code,
            project.name,
            project.enterprise.name,
            project.park.name,
            listing.year,
            ledger.LEVEL_LABELS[listing.level],
            ledger.KIND_LABELS[listing.kind],
            project.industry,
            project.total_investment,
            listing.planned_investment,
            project.planned_start,
            project.actual_start,
            ledger.STAGE_LABELS[project.stage],
            project.leader.name if project.leader else None,
            project.grid_worker.name if project.grid_worker else None,
            project.lead_department.name if project.lead_department else None,
            project.content,
            project.signed_on,
            project.filed_on,
            ledger.PROJECT_TYPE_LABELS[project.project_type],
            project.longitude,
            project.latitude,
        ]


def ledger_export(projects, *, year=None, filename="projects.xlsx"):
    """The ledger of `projects` (a queryset) as a download."""
    return workbook_response(ledger_sheets(projects, year=year), filename)


def _ledger_querysets(projects, year):
    """(listings, reports) of the ledger of `projects`: each listed year's row (or only `year`'s)."""
    listings = (
        Listing.objects.filter(project__in=projects.values("pk"))
        .select_related(
            "project__park",
            "project__enterprise",
            "project__leader",
            "project__grid_worker",
            "project__lead_department",
        )
        .order_by("project__code", "year")
    )
    reports = MonthlyReport.objects.order_by("project__code", "year", "month")
    if year:
        listings = listings.filter(year=year)
        reports = reports.filter(year=year)
    # Reports only of projects that have a row on the listings sheet: a project never listed (or not
    # in the chosen year) is not in the ledger, and its reports alone could not be imported.
    reports = reports.filter(project__in=listings.values("project"))
    return listings, reports


def ledger_row_count(projects, *, year=None):
    """How many rows the ledger of `projects` has (both sheets): a background export's progress total."""
    listings, reports = _ledger_querysets(projects, year)
    return listings.count() + reports.count()


def ledger_sheets(projects, *, year=None):
    """The ledger of `projects` (a queryset): each listed year's row (or only `year`'s) and the reports."""
    listings, reports = _ledger_querysets(projects, year)
    report_rows = reports.values_list("project__code", "year", "month", "amount").iterator(chunk_size=CHUNK)
    return [
        (
            ledger.LISTINGS_SHEET,
            ledger.LISTING_HEADERS,
            ledger_listing_rows(listings.iterator(chunk_size=CHUNK)),
            LEDGER_WIDTHS,
        ),
        (ledger.REPORTS_SHEET, ledger.REPORT_HEADERS, (list(row) for row in report_rows), [14, 8, 8, 20]),
    ]


EXAMPLE_ROW = [
    "2026-001",
    "联博新能源汽车驱动电机定子项目",
    "联博新能源汽车驱动电机有限公司",
    "航空航天产业园",
    2026,
    "省重点",
    "新建",
    "新能源汽车零部件",
    50000,
    20000,
    datetime.date(2026, 3, 1),
    datetime.date(2026, 3, 15),
    "在建",
    "张三",
    "李四",
    "经济发展局",
    "新建厂房两栋，冲压线及自动线若干",
    datetime.date(2025, 11, 20),
    datetime.date(2026, 1, 10),
    "工业新建",
    119.62,
    32.19,
]


def ledger_template():
    """The empty ledger: the two sheets with their headers and an example row, and a 说明 sheet."""
    notes = [
        [_("How to fill in the ledger")],
        [
            _(
                "Sheets are recognised by their headers, not their names or order; "
                "keep the header row as it is."
            )
        ],
        [_("One row per project per year on the listings sheet; a project listed two years has two rows.")],
        [
            _(
                "A project's own columns (name, enterprise, park, industry, total investment, dates, people, "
                "department, content) must be the same in all of its rows."
            )
        ],
        [
            _(
                "Required: 项目编号, 项目名称, 建设单位, 所属板块, 年度, 项目级别, 项目类型, "
                "总投资, 年度计划投资."
            )
        ],
        [_("项目级别: 省重点, 市重点 or 区重点. 项目类型: 新建 or 续建. Money in 万元, not negative.")],
        [_("Dates as Excel dates or as text: 2023-03-15, 2023/3/15, 2023.3.15 or 2023年3月15日.")],
        [_("An empty cell clears the value, except 实际开工日期: a recorded start date is kept.")],
        [
            _(
                "签约日期 and 立项备案日期 (optional columns) move the stage to signed and to preparation; "
                "empty, a recorded date is kept."
            )
        ],
        [_("项目阶段: 前期, 在建, 竣工 or 投产; empty follows the dates. An import never moves it back.")],
        [
            _(
                "项目类别 (optional): 工业新建, 扩建/技术改造 or 基础设施; it chooses the node-plan "
                "template of a new project. Empty keeps a project's type (a new project: 工业新建)."
            )
        ],
        [
            _(
                "经度 and 纬度 (optional): the project's place on the zone's map in degrees, e.g. 119.62 and "
                "32.19; both or neither; empty, a recorded place is kept."
            )
        ],
        [
            _(
                "Parks, departments and people are matched by name or by a confirmed alias; an unknown "
                "name is a question in the preview (this is X, or create new), never created silently."
            )
        ],
        [
            _(
                "A zone's own table is read too: headers such as 项目/建设单位/所在园区/计划总投资（亿元）, "
                "two-row headers, 单位 notes, section rows (一、省重点项目), 合计 rows, no 项目编号, "
                "the year in the title and 1-M月累计完成 columns."
            )
        ],
        [_("月度投资: one row per project and month (1–12), the month's completed investment in 万元.")],
        [
            _(
                "A file with any bad row imports nothing; the report lists every bad row and column. "
                "Months a coordinator has locked change only through an administrator's correction."
            )
        ],
        [_("Importing the same file again changes nothing; projects missing from the file are left alone.")],
    ]
    return workbook_response(
        [
            (ledger.LISTINGS_SHEET, ledger.LISTING_HEADERS, [EXAMPLE_ROW], LEDGER_WIDTHS),
            (ledger.REPORTS_SHEET, ledger.REPORT_HEADERS, [["2026-001", 2026, 3, 1200]], [14, 8, 8, 20]),
            ("说明", None, notes, [120]),
        ],
        "ledger-template.xlsx",
    )


def issue_rows(issues, today):
    yes, no = _("yes"), _("no")
    for issue in issues:
        yield [
            issue.pk,
            f"{issue.project.code} {issue.project.name}",
            str(issue.get_category_display()),
            str(issue.get_level_display()),
            str(issue.get_status_display()),
            issue.department.name if issue.department else None,
            issue.assignee.name if issue.assignee else None,
            issue.deadline,
            yes if issue.is_overdue else no,
            _local_date(issue.raised_at),
            _local_date(issue.resolved_at),
            issue.description,
            issue.resolution,
            issue.feedback,
            str(issue.get_satisfaction_display()) if issue.satisfaction else None,
        ]


def _local_date(moment):
    from django.utils import timezone

    return timezone.localtime(moment).date() if moment else None


def issue_export(issues, *, today, filename="issues.xlsx"):
    """The issues of a (visible, filtered) queryset as a download."""
    return workbook_response(issue_sheets(issues, today=today), filename)


def issue_sheets(issues, *, today):
    """The issues of a (visible, filtered) queryset; "overdue" is computed in the database."""
    issues = (
        issues.select_related("project", "department", "assignee")
        .annotate(is_overdue=Case(When(overdue_q(today), then=Value(True)), default=Value(False)))
        .order_by("pk")
    )
    headers = [
        _("Number"),
        _("Project"),
        _("Category"),
        _("Level"),
        _("Status"),
        _("Department"),
        _("Assignee"),
        _("Deadline"),
        _("Overdue"),
        _("Raised at"),
        _("Resolved"),
        _("Description"),
        _("Resolution"),
        _("Feedback to the enterprise"),
        _("Satisfaction"),
    ]
    widths = [8, 36, 14, 14, 10, 18, 10, 12, 8, 12, 12, 50, 40, 40, 12]
    return [(_("Issues"), headers, issue_rows(issues.iterator(chunk_size=CHUNK), today), widths)]
