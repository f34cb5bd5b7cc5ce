"""The project ledger (台账) in Excel: read, validate and import it (PRODUCT.md, issue "The ledger in Excel").

`ledger_read(file)` parses and validates a workbook without writing anything and returns an
`ImportPlan`: every bad cell (`.errors`), plausibility warnings (`.warnings`, never blocking) and a
preview of what would change (`.changes`, `.counts`). `ledger_apply(plan, by=…)` writes the plan in
one transaction, comparing against the database again inside it, so a preview shown minutes earlier
never writes stale values. Any error → nothing is written.

The file is read with openpyxl in read-only mode (rows streamed, bounded memory) and `data_only`
(the cached value of a formula, never the formula).

Decisions the file format leaves open (documented for the users in the template's 说明 sheet):
- One listings row per project per year. A project's own fields (name, enterprise, park, industry,
  total investment, dates, people, department, content) describe the project as it is now, so every
  year's row of one project must carry the same values; rows that differ are contradictions (bad
  rows), and so is the same project and year twice with different values. An exact duplicate row is
  only a warning.
- An empty optional cell clears the value (the file is the ledger), except 实际开工日期: a recorded
  start is a fact logged by the grid worker, so an empty cell keeps it (with a warning).
- Projects, listings and reports missing from the file are left alone, never deleted.
- A person is matched by name among the staff; an unknown name creates a staff profile with an
  inactive login (no usable password) holding the role. A matched person lacking the role is named
  anyway, with a warning: granting roles stays with administrators.
- A report that would create or change a month a coordinator has locked is a bad row, unless an
  administrator imports the file as a correction.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import access
from .models import (
    CorrectionStatus,
    Department,
    Enterprise,
    Listing,
    ListingKind,
    ListingLevel,
    MonthLock,
    MonthlyReport,
    Park,
    Project,
    ReportCorrection,
    Role,
    RoleCode,
    Staff,
    Stage,
)

# The template's headers, in order. Export writes exactly these, so an export re-imports unchanged.
CODE = "项目编号"
NAME = "项目名称"
ENTERPRISE = "建设单位"
PARK = "所属板块"
YEAR = "年度"
LEVEL = "项目级别"
KIND = "项目类型"
INDUSTRY = "产业类别"
TOTAL = "总投资（万元）"
PLANNED = "年度计划投资（万元）"
PLANNED_START = "计划开工日期"
ACTUAL_START = "实际开工日期"
LEADER = "挂钩委领导"
GRID_WORKER = "网格员"
DEPARTMENT = "牵头部门"
CONTENT = "建设内容"
MONTH = "月份"
AMOUNT = "当月完成投资（万元）"
# The pipeline's dates (issue 15): optional columns, a file without them leaves the dates alone.
SIGNED_ON = "签约日期"
FILED_ON = "立项备案日期"
OPTIONAL = {SIGNED_ON, FILED_ON}
# Dates that move the stage: an empty cell keeps a recorded one.
KEPT_DATES = {ACTUAL_START: "actual_start", SIGNED_ON: "signed_on", FILED_ON: "filed_on"}

LISTING_HEADERS = [
    CODE,
    NAME,
    ENTERPRISE,
    PARK,
    YEAR,
    LEVEL,
    KIND,
    INDUSTRY,
    TOTAL,
    PLANNED,
    PLANNED_START,
    ACTUAL_START,
    LEADER,
    GRID_WORKER,
    DEPARTMENT,
    CONTENT,
    SIGNED_ON,
    FILED_ON,
]
REPORT_HEADERS = [CODE, YEAR, MONTH, AMOUNT]
LISTINGS_SHEET = "项目清单"
REPORTS_SHEET = "月度投资"
REQUIRED = {CODE, NAME, ENTERPRISE, PARK, YEAR, LEVEL, KIND, TOTAL, PLANNED}
# The project's own fields: the same in every year's row of a project.
PROJECT_HEADERS = [
    NAME,
    ENTERPRISE,
    PARK,
    INDUSTRY,
    TOTAL,
    PLANNED_START,
    ACTUAL_START,
    LEADER,
    GRID_WORKER,
    DEPARTMENT,
    CONTENT,
    SIGNED_ON,
    FILED_ON,
]

LEVELS = {"省重点": ListingLevel.PROVINCE, "市重点": ListingLevel.CITY, "区重点": ListingLevel.DISTRICT}
KINDS = {"新建": ListingKind.NEW, "续建": ListingKind.CONTINUING}
LEVEL_LABELS = {value: label for label, value in LEVELS.items()}
KIND_LABELS = {value: label for label, value in KINDS.items()}

MAX_LENGTHS = {CODE: 30, NAME: 200, ENTERPRISE: 200, PARK: 100, INDUSTRY: 50, LEADER: 50}
MAX_LENGTHS |= {GRID_WORKER: 50, DEPARTMENT: 100}
MONEY_LIMIT = Decimal("10000000000")  # the model's 12 digits with 2 decimals
CENT = Decimal("0.01")
MAX_ROWS = 100_000
HEADER_SEARCH_ROWS = 10  # the header row may sit below a title row or two
UNUSUAL_MONTH_FACTOR = 10  # a month above ten times the project's usual month is worth a look
DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
PERSON_USERNAME_PREFIX = "ledger-"


class LedgerRejected(Exception):
    """The plan has bad rows: nothing was written."""

    def __init__(self, plan):
        super().__init__(
            _("The ledger has %(count)s problem(s); nothing was imported.") % {"count": len(plan.errors)}
        )
        self.plan = plan


@dataclass
class Problem:
    sheet: str
    row: int | None  # the Excel row number, None for a problem of the whole file
    header: str
    message: str


@dataclass
class Change:
    action: str  # "create" or "update"
    entity: str
    key: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (label, before, after)


@dataclass
class ProjectRow:
    """A project's own fields, as the first of its listings rows gives them."""

    row: int
    code: str
    values: dict  # header → parsed value
    effective: dict | None = None  # the values to write, once compared with the database


@dataclass
class ListingRow:
    row: int
    code: str
    year: int
    level: str
    kind: str
    planned: Decimal


@dataclass
class ReportRow:
    row: int
    code: str
    year: int
    month: int
    amount: Decimal


@dataclass
class ImportPlan:
    problems: list[Problem] = field(default_factory=list)  # found in the file alone
    db_problems: list[Problem] = field(default_factory=list)  # found comparing with the database
    locked: list[Problem] = field(default_factory=list)  # bad rows unless an administrator's correction
    file_warnings: list[Problem] = field(default_factory=list)
    db_warnings: list[Problem] = field(default_factory=list)
    sheets: dict = field(default_factory=lambda: {"listings": LISTINGS_SHEET, "reports": REPORTS_SHEET})
    person_roles: dict = field(default_factory=dict)  # name → role codes, for people to create
    bad_codes: set = field(default_factory=set)  # codes of listings rows with a bad cell
    projects: dict[str, ProjectRow] = field(default_factory=dict)
    listings: list[ListingRow] = field(default_factory=list)
    reports: list[ReportRow] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    as_correction: bool = False

    @property
    def errors(self):
        return self.problems + self.db_problems + ([] if self.as_correction else self.locked)

    @property
    def warnings(self):
        return self.file_warnings + self.db_warnings

    @property
    def ok(self):
        return not self.errors

    def sorted_errors(self):
        return sorted(self.errors, key=_problem_order)

    def sorted_warnings(self):
        return sorted(self.warnings, key=_problem_order)


@dataclass
class ImportResult:
    counts: dict
    changes: list[Change]
    warnings: list[Problem]


def _problem_order(problem):
    return (problem.sheet, problem.row or 0, problem.header)


# --- reading cells -----------------------------------------------------------------------------


class CellError(ValueError):
    pass


def normalize_header(value):
    text = "" if value is None else str(value)
    text = re.sub(r"\s+", "", text)
    return text.replace("(", "（").replace(")", "）")


def _is_empty(value):
    return value is None or (isinstance(value, str) and not value.strip())


def parse_text(value, header):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    text = str(value).strip()
    limit = MAX_LENGTHS.get(header)
    if limit and len(text) > limit:
        raise CellError(_("too long (at most %(limit)s characters)") % {"limit": limit})
    return text


def parse_money(value):
    if isinstance(value, bool):
        raise CellError(_("not a number"))
    try:
        if isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, int | Decimal):
            number = Decimal(value)
        else:
            number = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except (InvalidOperation, ValueError):
        raise CellError(_("not a number")) from None
    if not number.is_finite():
        raise CellError(_("not a number"))
    if number < 0:
        raise CellError(_("negative amount"))
    number = number.quantize(CENT, rounding=ROUND_HALF_UP)
    if number >= MONEY_LIMIT:
        raise CellError(_("amount too large"))
    return number


def parse_integer(value, suffix=""):
    if isinstance(value, bool):
        raise CellError(_("not a whole number"))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CellError(_("not a whole number"))
    text = str(value).strip()
    if suffix and text.endswith(suffix):
        text = text[: -len(suffix)].strip()
    if not re.fullmatch(r"\d{1,6}(\.0+)?", text):
        raise CellError(_("not a whole number"))
    return int(float(text))


def parse_year(value):
    year = parse_integer(value, "年")
    if not 2000 <= year <= 2100:
        raise CellError(_("year outside 2000–2100"))
    return year


def parse_month(value):
    month = parse_integer(value, "月")
    if not 1 <= month <= 12:
        raise CellError(_("month outside 1–12"))
    return month


def parse_date(value):
    """An Excel date, an Excel serial number, or text such as 2023-03-15, 2023/3/15, 2023年3月15日."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A date cell without a date format reaches us as its serial number (days since 1899-12-30).
        if 20000 <= value <= 80000:
            return datetime.date(1899, 12, 30) + datetime.timedelta(days=int(value))
        raise CellError(_("unreadable date"))
    match = DATE_TEXT.match(str(value).strip())
    if not match:
        raise CellError(_("unreadable date"))
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise CellError(_("unreadable date")) from None


def parse_level(value):
    text = str(value).strip()
    if text in LEVELS:
        return LEVELS[text]
    if text in ListingLevel.values:
        return text
    raise CellError(_("unknown level (expected 省重点, 市重点 or 区重点)"))


def parse_kind(value):
    text = str(value).strip()
    if text in KINDS:
        return KINDS[text]
    if text in ListingKind.values:
        return text
    raise CellError(_("unknown kind (expected 新建 or 续建)"))


LISTING_PARSERS = {
    CODE: lambda v: parse_text(v, CODE),
    NAME: lambda v: parse_text(v, NAME),
    ENTERPRISE: lambda v: parse_text(v, ENTERPRISE),
    PARK: lambda v: parse_text(v, PARK),
    YEAR: parse_year,
    LEVEL: parse_level,
    KIND: parse_kind,
    INDUSTRY: lambda v: parse_text(v, INDUSTRY),
    TOTAL: parse_money,
    PLANNED: parse_money,
    PLANNED_START: parse_date,
    ACTUAL_START: parse_date,
    SIGNED_ON: parse_date,
    FILED_ON: parse_date,
    LEADER: lambda v: parse_text(v, LEADER),
    GRID_WORKER: lambda v: parse_text(v, GRID_WORKER),
    DEPARTMENT: lambda v: parse_text(v, DEPARTMENT),
    CONTENT: lambda v: parse_text(v, CONTENT),
}
REPORT_PARSERS = {
    CODE: lambda v: parse_text(v, CODE),
    YEAR: parse_year,
    MONTH: parse_month,
    AMOUNT: parse_money,
}
TEXT_DEFAULT = {INDUSTRY: "", CONTENT: "", LEADER: "", GRID_WORKER: "", DEPARTMENT: ""}


# --- reading the workbook ----------------------------------------------------------------------


def _open_workbook(file):
    from openpyxl import load_workbook

    if hasattr(file, "seek"):
        file.seek(0)
    try:
        return load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError) as exc:
        raise CellError(_("This is not a readable Excel .xlsx file.")) from exc
    except Exception as exc:  # openpyxl raises assorted errors on a damaged file; none may be a 500
        raise CellError(_("This is not a readable Excel .xlsx file.")) from exc


def _find_sheets(workbook):
    """Each sheet's header row, found by the headers it carries (not by position or sheet name)."""
    found = {}
    for sheet in workbook.worksheets:
        rows = sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True)
        for offset, row in enumerate(rows, start=1):
            headers = [normalize_header(value) for value in row]
            if CODE not in headers:
                continue
            if "listings" not in found and {NAME, LEVEL, KIND} <= set(headers):
                found["listings"] = (sheet, offset, headers)
            elif "reports" not in found and {MONTH, AMOUNT} <= set(headers):
                found["reports"] = (sheet, offset, headers)
            break
    return found


def _read_rows(sheet, header_row, headers, wanted, parsers, plan):
    """Yield (excel_row, {header: value}) for the non-empty rows; bad cells go to plan.problems."""
    columns = {header: headers.index(header) for header in wanted if header in headers}
    for number, row in enumerate(sheet.iter_rows(min_row=header_row + 1, values_only=True), header_row + 1):
        if number - header_row > MAX_ROWS:
            plan.problems.append(
                Problem(sheet.title, number, "", _("Too many rows (at most %(max)s).") % {"max": MAX_ROWS})
            )
            return
        cells = {header: (row[index] if index < len(row) else None) for header, index in columns.items()}
        if all(_is_empty(value) for value in cells.values()):
            continue
        values, bad = {}, False
        for header, value in cells.items():
            if _is_empty(value):
                if header in REQUIRED or parsers is REPORT_PARSERS:
                    plan.problems.append(Problem(sheet.title, number, header, _("required cell is empty")))
                    bad = True
                else:
                    values[header] = TEXT_DEFAULT.get(header)
                continue
            try:
                values[header] = parsers[header](value)
            except CellError as exc:
                plan.problems.append(Problem(sheet.title, number, header, f"{exc} ({str(value)[:50]})"))
                bad = True
        if not bad:
            yield number, values
        elif values.get(CODE) and parsers is LISTING_PARSERS:
            plan.bad_codes.add(values[CODE])


def ledger_read(file, *, as_correction=False) -> ImportPlan:
    """Parse and validate a ledger workbook and preview its changes; writes nothing."""
    plan = ImportPlan(as_correction=as_correction)
    try:
        workbook = _open_workbook(file)
    except CellError as exc:
        plan.problems.append(Problem("", None, "", str(exc)))
        return plan
    try:
        found = _find_sheets(workbook)
        if "listings" not in found:
            plan.problems.append(
                Problem(
                    "",
                    None,
                    "",
                    _("No sheet has the listings headers (项目编号, 项目名称, 项目级别, 项目类型…)."),
                ),
            )
            return plan
        sheet, header_row, headers = found["listings"]
        plan.sheets["listings"] = sheet.title
        missing = [header for header in LISTING_HEADERS if header not in headers and header not in OPTIONAL]
        for header in missing:
            plan.problems.append(Problem(sheet.title, header_row, header, _("column missing")))
        if missing:
            return plan
        _collect_listings(
            plan, sheet, _read_rows(sheet, header_row, headers, LISTING_HEADERS, LISTING_PARSERS, plan)
        )
        if "reports" in found:
            sheet, header_row, headers = found["reports"]
            plan.sheets["reports"] = sheet.title
            missing = [header for header in REPORT_HEADERS if header not in headers]
            for header in missing:
                plan.problems.append(Problem(sheet.title, header_row, header, _("column missing")))
            if not missing:
                _collect_reports(
                    plan, sheet, _read_rows(sheet, header_row, headers, REPORT_HEADERS, REPORT_PARSERS, plan)
                )
    except Exception as exc:  # a damaged sheet part surfaces while iterating; report it, never a 500
        if isinstance(exc, LedgerRejected):
            raise
        plan.problems.append(Problem("", None, "", _("This is not a readable Excel .xlsx file.")))
        return plan
    finally:
        workbook.close()
    _compare(plan)
    return plan


def _collect_listings(plan, sheet, rows):
    seen_listing = {}  # (code, year) → (row, values)
    for number, values in rows:
        code = values[CODE]
        # An optional column the file lacks reads as empty: the recorded date is kept (KEPT_DATES).
        own = {header: values.get(header) for header in PROJECT_HEADERS}
        first = plan.projects.get(code)
        if first is None:
            plan.projects[code] = ProjectRow(number, code, own)
        else:
            contradiction = False
            for header in PROJECT_HEADERS:
                if own[header] != first.values[header]:
                    contradiction = True
                    plan.problems.append(
                        Problem(
                            sheet.title,
                            number,
                            header,
                            _("differs from row %(row)s of the same project (%(value)s)")
                            % {"row": first.row, "value": _display(first.values[header])},
                        )
                    )
            if contradiction:
                continue
        key = (code, values[YEAR])
        listing = (values[LEVEL], values[KIND], values[PLANNED])
        if key in seen_listing:
            earlier_row, earlier = seen_listing[key]
            conflict = _("the same project and year as row %(row)s with different values")
            _repeated_row(plan, sheet, number, earlier_row, earlier == listing, YEAR, YEAR, conflict)
            continue
        seen_listing[key] = (number, listing)
        plan.listings.append(ListingRow(number, code, values[YEAR], *listing))
        if own[TOTAL] is not None and values[PLANNED] > own[TOTAL]:
            plan.file_warnings.append(
                Problem(sheet.title, number, PLANNED, _("annual plan above the total investment"))
            )


def _repeated_row(plan, sheet, number, earlier_row, same, duplicate_column, conflict_column, conflict):
    """A row repeating an earlier one's key: an exact duplicate is ignored with a warning, a
    contradiction is a bad row."""
    if same:
        message = _("duplicate of row %(row)s, ignored") % {"row": earlier_row}
        plan.file_warnings.append(Problem(sheet.title, number, duplicate_column, message))
    else:
        plan.problems.append(Problem(sheet.title, number, conflict_column, conflict % {"row": earlier_row}))


def _collect_reports(plan, sheet, rows):
    seen = {}
    for number, values in rows:
        key = (values[CODE], values[YEAR], values[MONTH])
        if key in seen:
            earlier_row, amount = seen[key]
            conflict = _("the same project and month as row %(row)s with a different amount")
            _repeated_row(plan, sheet, number, earlier_row, amount == values[AMOUNT], MONTH, AMOUNT, conflict)
            continue
        seen[key] = (number, values[AMOUNT])
        plan.reports.append(ReportRow(number, *key, values[AMOUNT]))


def _display(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


# --- comparing with the database ---------------------------------------------------------------


@dataclass
class _State:
    """What the database holds for the plan's names and codes, loaded in a bounded number of queries."""

    projects: dict
    listings: dict
    reports: dict
    parks: dict
    enterprises: dict
    departments: dict
    staff: dict  # name → [Staff]
    locks: set


def _load_state(plan, *, lock=False):
    codes = set(plan.projects) | {report.code for report in plan.reports}
    projects = Project.objects.filter(code__in=codes).select_related(
        "park", "enterprise", "leader", "grid_worker", "lead_department"
    )
    if lock:
        projects = projects.select_for_update(of=("self",))
    people = {v[LEADER] for v in (p.values for p in plan.projects.values())} | {
        p.values[GRID_WORKER] for p in plan.projects.values()
    }
    people.discard("")
    staff = defaultdict(list)
    for person in Staff.objects.filter(name__in=people).prefetch_related("roles").order_by("pk"):
        staff[person.name].append(person)
    return _State(
        projects={project.code: project for project in projects},
        listings={
            (listing.project.code, listing.year): listing
            for listing in Listing.objects.filter(project__code__in=codes).select_related("project")
        },
        reports={
            (report.project.code, report.year, report.month): report
            for report in MonthlyReport.objects.filter(project__code__in=codes).select_related("project")
        },
        parks={
            park.name: park
            for park in Park.objects.filter(name__in={p.values[PARK] for p in plan.projects.values()})
        },
        enterprises={
            e.name: e
            for e in Enterprise.objects.filter(
                name__in={p.values[ENTERPRISE] for p in plan.projects.values()}
            )
        },
        departments={
            d.name: d
            for d in Department.objects.filter(
                name__in={p.values[DEPARTMENT] for p in plan.projects.values()}
            )
        },
        staff=staff,
        locks=set(MonthLock.objects.values_list("year", "month")),
    )


def _person(state, plan, name, role, row, header, sheet):
    """The staff member of that name (preferring one holding the role); None if the name is new."""
    candidates = state.staff.get(name, [])
    holding = [person for person in candidates if person.has_role(role)]
    if len(holding) > 1 or (not holding and len(candidates) > 1):
        plan.db_problems.append(
            Problem(sheet, row, header, _("several staff members are called %(name)s") % {"name": name})
        )
        return None
    if holding:
        return holding[0]
    if candidates:
        plan.db_warnings.append(
            Problem(
                sheet,
                row,
                header,
                _("%(name)s does not hold this role; an administrator can grant it") % {"name": name},
            )
        )
        return candidates[0]
    return None


def _stage_for(stage, values):
    """The stage a project's dates in the file move it to (never back): signing → signed, filing →
    preparation, start → under construction."""
    for header, reached in (
        (ACTUAL_START, Stage.CONSTRUCTION),
        (FILED_ON, Stage.PREPARATION),
        (SIGNED_ON, Stage.SIGNED),
    ):
        if values.get(header) and Stage.rank(stage) < Stage.rank(reached):
            return reached
    return stage


def _project_current(project):
    """A project's fields as the ledger writes them."""
    return {
        NAME: project.name,
        ENTERPRISE: project.enterprise.name,
        PARK: project.park.name,
        INDUSTRY: project.industry,
        TOTAL: project.total_investment.quantize(CENT),
        PLANNED_START: project.planned_start,
        ACTUAL_START: project.actual_start,
        SIGNED_ON: project.signed_on,
        FILED_ON: project.filed_on,
        LEADER: project.leader.name if project.leader else "",
        GRID_WORKER: project.grid_worker.name if project.grid_worker else "",
        DEPARTMENT: project.lead_department.name if project.lead_department else "",
        CONTENT: project.content,
    }


def _compare(plan, state=None):
    """Fill plan.changes, plan.counts, plan.locked and the database-dependent warnings."""
    state = state or _load_state(plan)
    plan.changes, plan.locked, plan.db_problems, plan.db_warnings = [], [], [], []
    listings_sheet, reports_sheet = plan.sheets["listings"], plan.sheets["reports"]
    counts = defaultdict(int)
    projects_in_file = plan.projects.values()
    for key, entity, names in (
        ("park", _("park"), {p.values[PARK] for p in projects_in_file} - set(state.parks)),
        (
            "enterprise",
            _("enterprise"),
            {p.values[ENTERPRISE] for p in projects_in_file} - set(state.enterprises),
        ),
        (
            "department",
            _("department"),
            {p.values[DEPARTMENT] for p in projects_in_file} - set(state.departments) - {""},
        ),
    ):
        for name in sorted(names):
            plan.changes.append(Change("create", entity, name))
            counts[f"{key}:created"] += 1
    new_people = {}
    for project_row in projects_in_file:
        for header, role in ((LEADER, RoleCode.LEADER), (GRID_WORKER, RoleCode.GRID_WORKER)):
            name = project_row.values[header]
            if name and name not in state.staff:
                new_people.setdefault(name, set()).add(role)
            elif name:
                _person(state, plan, name, role, project_row.row, header, listings_sheet)
    for name in sorted(new_people):
        plan.changes.append(Change("create", _("staff member"), name))
        counts["staff:created"] += 1
    plan.person_roles = new_people

    for code, project_row in plan.projects.items():
        wanted = dict(project_row.values)
        project = state.projects.get(code)
        if project is None:
            stage = Stage.CONSTRUCTION if wanted[ACTUAL_START] else Stage.PREPARATION
            plan.changes.append(
                Change(
                    "create",
                    _("project"),
                    f"{code} {wanted[NAME]}",
                    [(_("stage"), "", str(Stage(stage).label))],
                )
            )
            counts["project:created"] += 1
            continue
        current = _project_current(project)
        if wanted[ACTUAL_START] is None and current[ACTUAL_START] is not None:
            wanted[ACTUAL_START] = current[ACTUAL_START]
            plan.db_warnings.append(
                Problem(
                    listings_sheet,
                    project_row.row,
                    ACTUAL_START,
                    _("empty, the recorded start %(date)s is kept") % {"date": current[ACTUAL_START]},
                )
            )
        for header in (SIGNED_ON, FILED_ON):  # kept silently: most ledgers do not carry them
            if wanted[header] is None:
                wanted[header] = current[header]
        project_row.effective = wanted
        diffs = [
            (header, _display(current[header]), _display(wanted[header]))
            for header in PROJECT_HEADERS
            if current[header] != wanted[header]
        ]
        stage = _stage_for(project.stage, wanted)
        if stage != project.stage:
            diffs.append((_("stage"), str(Stage(project.stage).label), str(Stage(stage).label)))
        if diffs:
            plan.changes.append(Change("update", _("project"), f"{code} {project.name}", diffs))
            counts["project:updated"] += 1
        else:
            counts["project:unchanged"] += 1

    for listing_row in plan.listings:
        listing = state.listings.get((listing_row.code, listing_row.year))
        key = f"{listing_row.code} {listing_row.year}"
        if listing is None:
            plan.changes.append(Change("create", _("listing"), key))
            counts["listing:created"] += 1
            continue
        diffs = []
        if listing.level != listing_row.level:
            diffs.append((LEVEL, LEVEL_LABELS[listing.level], LEVEL_LABELS[listing_row.level]))
        if listing.kind != listing_row.kind:
            diffs.append((KIND, KIND_LABELS[listing.kind], KIND_LABELS[listing_row.kind]))
        if listing.planned_investment.quantize(CENT) != listing_row.planned:
            diffs.append((PLANNED, _display(listing.planned_investment), _display(listing_row.planned)))
        if diffs:
            plan.changes.append(Change("update", _("listing"), key, diffs))
            counts["listing:updated"] += 1
        else:
            counts["listing:unchanged"] += 1

    # The usual month of each project: the database's reports overlaid with the file's.
    amounts = defaultdict(dict)
    for (code, year, month), report in state.reports.items():
        amounts[code][(year, month)] = report.amount
    for report_row in plan.reports:
        amounts[report_row.code][(report_row.year, report_row.month)] = report_row.amount
    for report_row in plan.reports:
        code = report_row.code
        if code not in plan.projects and code not in state.projects:
            if code in plan.bad_codes:
                continue  # its listings row is already reported; "unknown project" would only add noise
            plan.db_problems.append(
                Problem(reports_sheet, report_row.row, CODE, _("unknown project %(code)s") % {"code": code})
            )
            continue
        report = state.reports.get((code, report_row.year, report_row.month))
        key = f"{code} {report_row.year}-{report_row.month:02d}"
        if report is not None and report.amount.quantize(CENT) == report_row.amount:
            counts["report:unchanged"] += 1
            continue
        if (report_row.year, report_row.month) in state.locks:
            plan.locked.append(
                Problem(
                    reports_sheet,
                    report_row.row,
                    AMOUNT,
                    _("%(year)s-%(month)02d is locked; only an administrator's correction may change it")
                    % {"year": report_row.year, "month": report_row.month},
                )
            )
        if report is None:
            plan.changes.append(
                Change("create", _("monthly report"), key, [(AMOUNT, "", _display(report_row.amount))])
            )
            counts["report:created"] += 1
        else:
            plan.changes.append(
                Change(
                    "update",
                    _("monthly report"),
                    key,
                    [(AMOUNT, _display(report.amount), _display(report_row.amount))],
                )
            )
            counts["report:updated"] += 1
        others = [amount for ym, amount in amounts[code].items() if ym != (report_row.year, report_row.month)]
        usual = sum(others) / len(others) if len(others) >= 3 else None
        if usual and report_row.amount > usual * UNUSUAL_MONTH_FACTOR:
            plan.db_warnings.append(
                Problem(
                    reports_sheet,
                    report_row.row,
                    AMOUNT,
                    _("unusually large: more than %(factor)s times the project's usual month (%(usual)s)")
                    % {"factor": UNUSUAL_MONTH_FACTOR, "usual": _display(usual.quantize(CENT))},
                )
            )
        total = (
            plan.projects[code].values[TOTAL]
            if code in plan.projects
            else state.projects[code].total_investment
        )
        if report_row.amount > total:
            plan.db_warnings.append(
                Problem(
                    reports_sheet, report_row.row, AMOUNT, _("a month above the project's total investment")
                )
            )
    plan.counts = dict(counts)
    return state


# --- writing -----------------------------------------------------------------------------------


def person_username(name):
    """A stable username for a person the ledger names: the same name always gives the same one."""
    return PERSON_USERNAME_PREFIX + hashlib.sha256(name.encode()).hexdigest()[:12]


@transaction.atomic
def ledger_apply(plan, *, by, as_correction=False) -> ImportResult:
    """Write a plan read by `ledger_read`, all or nothing, with history for every created or changed row.

    `by` is the importing user (None from the command line without --user). Only an administrator
    may import corrections of locked months. Raises `LedgerRejected` if the plan has bad rows.
    """
    if as_correction and not (by is not None and access.has_role(by, RoleCode.ADMINISTRATOR)):
        raise PermissionDenied
    plan.as_correction = as_correction
    if plan.problems:
        raise LedgerRejected(plan)
    # Compare again inside the transaction, the projects locked: the database may have moved on since
    # the preview.
    state = _load_state(plan, lock=True)
    _compare(plan, state)
    if plan.errors:
        raise LedgerRejected(plan)
    user = by if by is not None and by.is_authenticated else None
    staff = access.get_staff(user) if user else None
    reason = _("Ledger import (correction of a locked month)") if as_correction else _("Ledger import")
    history = {"default_user": user, "default_change_reason": reason}
    now = timezone.now()

    parks = _get_or_create_names(Park, {p.values[PARK] for p in plan.projects.values()}, state.parks)
    enterprises = _get_or_create_names(
        Enterprise, {p.values[ENTERPRISE] for p in plan.projects.values()}, state.enterprises
    )
    departments = _get_or_create_names(
        Department, {p.values[DEPARTMENT] for p in plan.projects.values()} - {""}, state.departments
    )
    people = {name: persons[0] for name, persons in state.staff.items()}
    for name, persons in state.staff.items():
        for role in (RoleCode.LEADER, RoleCode.GRID_WORKER):
            holding = [p for p in persons if p.has_role(role)]
            if holding:
                people[(name, role)] = holding[0]
    people |= _create_people(plan.person_roles)

    def person(name, role):
        if not name:
            return None
        return people.get((name, role)) or people[name]

    to_create, to_update, update_fields = [], [], set()
    projects = dict(state.projects)
    for code, project_row in plan.projects.items():
        values = project_row.effective or project_row.values
        wanted = {
            "name": values[NAME],
            "enterprise": enterprises[values[ENTERPRISE]],
            "park": parks[values[PARK]],
            "industry": values[INDUSTRY],
            "total_investment": values[TOTAL],
            "planned_start": values[PLANNED_START],
            "actual_start": values[ACTUAL_START],
            "signed_on": values[SIGNED_ON],
            "filed_on": values[FILED_ON],
            "leader": person(values[LEADER], RoleCode.LEADER),
            "grid_worker": person(values[GRID_WORKER], RoleCode.GRID_WORKER),
            "lead_department": departments.get(values[DEPARTMENT]),
            "content": values[CONTENT],
        }
        project = projects.get(code)
        if project is None:
            project = Project(code=code, **wanted)
            project.stage = Stage.CONSTRUCTION if project.actual_start else Stage.PREPARATION
            to_create.append(project)
            continue
        changed = [name for name, value in wanted.items() if getattr(project, name) != value]
        for name in changed:
            setattr(project, name, wanted[name])
        # The stage never contradicts the dates: a start date means at least under construction.
        stage = _stage_for(project.stage, values)
        if stage != project.stage:
            project.stage = stage
            changed.append("stage")
        if changed:
            project.version += 1
            project.updated_at = now
            update_fields.update(changed)
            to_update.append(project)
    for project in bulk_create_with_history(to_create, Project, batch_size=500, **history):
        projects[project.code] = project
    # A new project gets its node plan from its type's template (services.plans).
    from .services.plans import plans_create_bulk

    plans_create_bulk(to_create, history_user=user)
    if to_update:
        fields = sorted(update_fields | {"version", "updated_at"})
        bulk_update_with_history(to_update, Project, fields, batch_size=500, **history)

    listings_new, listings_changed = [], []
    for row in plan.listings:
        listing = state.listings.get((row.code, row.year))
        if listing is None:
            listings_new.append(
                Listing(
                    project=projects[row.code],
                    year=row.year,
                    level=row.level,
                    kind=row.kind,
                    planned_investment=row.planned,
                )
            )
        elif (listing.level, listing.kind, listing.planned_investment.quantize(CENT)) != (
            row.level,
            row.kind,
            row.planned,
        ):
            listing.level, listing.kind, listing.planned_investment = row.level, row.kind, row.planned
            listings_changed.append(listing)
    bulk_create_with_history(listings_new, Listing, batch_size=500, **history)
    if listings_changed:
        bulk_update_with_history(
            listings_changed, Listing, ["level", "kind", "planned_investment"], batch_size=500, **history
        )

    reports_new, reports_changed, corrections = [], [], []
    for row in plan.reports:
        report = state.reports.get((row.code, row.year, row.month))
        if (row.year, row.month) in state.locks and (
            report is None or report.amount.quantize(CENT) != row.amount
        ):
            # Only reachable as an administrator's correction: recorded like an approved correction.
            corrections.append(
                ReportCorrection(
                    project=projects[row.code],
                    year=row.year,
                    month=row.month,
                    old_amount=report.amount if report else None,
                    new_amount=row.amount,
                    reason=reason,
                    requested_by=staff,
                    status=CorrectionStatus.APPROVED,
                    decided_by=staff,
                    decided_at=now,
                )
            )
        if report is None:
            reports_new.append(
                MonthlyReport(
                    project=projects[row.code],
                    year=row.year,
                    month=row.month,
                    amount=row.amount,
                    reported_by=staff,
                )
            )
        elif report.amount.quantize(CENT) != row.amount:
            report.amount, report.reported_by, report.reported_at = row.amount, staff, now
            reports_changed.append(report)
    bulk_create_with_history(reports_new, MonthlyReport, batch_size=500, **history)
    if reports_changed:
        bulk_update_with_history(
            reports_changed,
            MonthlyReport,
            ["amount", "reported_by", "reported_at"],
            batch_size=500,
            **history,
        )
    bulk_create_with_history(corrections, ReportCorrection, batch_size=500, **history)
    return ImportResult(counts=plan.counts, changes=plan.changes, warnings=plan.warnings)


def _get_or_create_names(model, names, existing):
    found = dict(existing)
    missing = [model(name=name) for name in sorted(names - set(found))]
    if missing:
        model.objects.bulk_create(missing)
        found |= {obj.name: obj for obj in model.objects.filter(name__in=[obj.name for obj in missing])}
    return found


def _create_people(person_roles):
    """Staff for names the zone does not know yet: an inactive login without a usable password."""
    if not person_roles:
        return {}
    user_model = get_user_model()
    roles = {
        role.code: role for role in Role.objects.filter(code__in=[RoleCode.LEADER, RoleCode.GRID_WORKER])
    }
    for code in (RoleCode.LEADER, RoleCode.GRID_WORKER):
        if code not in roles:
            roles[code] = Role.objects.create(code=code)
    created = {}
    for name, codes in sorted(person_roles.items()):
        user, _created = user_model.objects.get_or_create(
            username=person_username(name), defaults={"is_active": False}
        )
        if _created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        staff = Staff.objects.filter(user=user).first() or Staff.objects.create(user=user, name=name)
        staff.roles.add(*(roles[code] for code in codes))
        created[name] = staff
        for code in codes:
            created[(name, code)] = staff
    return created


# --- the report, shared by the command and the upload page ----------------------------------------

COUNT_ENTITIES = ["project", "listing", "report", "park", "enterprise", "department", "staff"]


def count_rows(plan):
    """[(entity label, created, updated, unchanged)] for the report."""
    labels = {
        "project": _("projects"),
        "listing": _("listings"),
        "report": _("monthly reports"),
        "park": _("parks"),
        "enterprise": _("enterprises"),
        "department": _("departments"),
        "staff": _("staff members"),
    }
    counts = plan.counts
    return [
        (
            labels[entity],
            counts.get(f"{entity}:created", 0),
            counts.get(f"{entity}:updated", 0),
            counts.get(f"{entity}:unchanged", 0),
        )
        for entity in COUNT_ENTITIES
    ]


def format_problem(problem):
    where = []
    if problem.sheet:
        where.append(problem.sheet)
    if problem.row:
        where.append(_("row %(row)s") % {"row": problem.row})
    if problem.header:
        where.append(problem.header)
    return f"{' · '.join(where)}: {problem.message}" if where else problem.message
