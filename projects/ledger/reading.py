"""Reading a ledger workbook as zones keep it, into an `ImportPlan` (nothing is written here).

The layout is recognised, not configured: the header row is found below title and note rows; a
two-row header with merged group cells (开工时间 over 计划 | 实际) gives one header per column; the
header words are matched against each column's synonyms (columns.py) and against the mappings an
importer saved; units (亿元, 万元) come from the header or a 单位 note above it; section rows
(一、省重点项目, （一）新建项目) give the level and kind of the rows below them; 合计/小计 rows are
checked against their rows; the year comes from a 年度 column, a header (2023年计划投资) or the title;
a year-to-date column (1-5月累计完成) becomes month 5's amount when compared with the database.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from .. import xlsx_guard
from ..models import ColumnAlias, ListingKind, ListingLevel, Project
from .columns import (
    AMOUNT,
    CODE,
    COLUMNS,
    CUMULATIVE,
    ENTERPRISE,
    KIND,
    LATITUDE,
    LEVEL,
    LISTING_COLUMNS,
    LISTING_HEADERS,
    LONGITUDE,
    MONTH,
    NAME,
    PARK,
    PLANNED,
    PROJECT_HEADERS,
    REPORT_COLUMNS,
    REPORT_HEADERS,
    SERIAL,
    TEXT_DEFAULT,
    TOTAL,
    UNIT_FACTORS,
    YEAR,
    CellError,
    match_header,
    normalize_header,
    parse_money,
    split_unit,
)
from .plan import CumulativeRow, ImportPlan, ListingRow, Problem, ProjectRow, ReportRow, display

MAX_ROWS = 100_000
HEADER_SEARCH_ROWS = 15  # the header row may sit below title and note rows
DERIVED_CODE_PREFIX = "XM-"
# The columns a zone's own table must have; level, kind, year and code may come from elsewhere.
ESSENTIAL = [NAME, ENTERPRISE, PARK, TOTAL, PLANNED]
SECTION = re.compile(r"^([一二三四五六七八九十]+)[、.．]|^[（(]([一二三四五六七八九十]+)[）)]")
TOTAL_ROW = re.compile(r"^(合计|总计|小计|全部项目合计)")
TITLE_YEAR = re.compile(r"(20\d\d)\s*年")
TITLE_MONTHS = re.compile(r"(\d{1,2})\s*-\s*(\d{1,2})\s*月")
UNIT_NOTE = re.compile(r"单位[:：]?\s*(亿元|万元|元)")
SECTION_LEVELS = [
    (re.compile(r"省(级)?重[点大]"), ListingLevel.PROVINCE),
    (re.compile(r"市(级)?重[点大]"), ListingLevel.CITY),
    (re.compile(r"(^|[^新])区(级)?重[点大]"), ListingLevel.DISTRICT),  # 新区重点 is the zone, not a level
]
SECTION_KINDS = [(re.compile(r"续建"), ListingKind.CONTINUING), (re.compile(r"新建|新开工"), ListingKind.NEW)]


@dataclass
class Layout:
    """Where a sheet's table is and what each of its columns means."""

    sheet: object
    header_row: int  # the last header row (the data starts below it)
    columns: dict  # key → (index, HeaderMatch)
    unknown: list  # [(index, header text)]
    title_year: int | None = None
    title_months: tuple | None = None
    note_unit: str | None = None
    serial: int | None = None  # the 序号 column
    texts: dict = field(default_factory=dict)  # index → the header text as written


def derive_code(name, enterprise):
    """A stable code for a project known by its name and enterprise: the same in every file and year."""
    digest = hashlib.sha256(f"{name}\x1f{enterprise}".encode()).hexdigest()[:10].upper()
    return DERIVED_CODE_PREFIX + digest


def _open_workbook(file):
    from openpyxl import load_workbook

    if hasattr(file, "seek"):
        file.seek(0)
    try:
        xlsx_guard.check_archive(file)  # a zip bomb is refused before openpyxl unpacks anything
    except xlsx_guard.UnsafeWorkbook as exc:
        raise CellError(str(exc)) from None
    try:
        return load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError) as exc:
        raise CellError(_("This is not a readable Excel .xlsx file.")) from exc
    except Exception as exc:  # openpyxl raises assorted errors on a damaged file; none may be a 500
        raise CellError(_("This is not a readable Excel .xlsx file.")) from exc


def _is_empty(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _header_cells(top, sub):
    """One header text per column from one or two header rows (a merged group title spans its subs)."""
    width = max(len(top), len(sub or ()))
    cells, group = [], None
    for index in range(width):
        upper = normalize_header(top[index] if index < len(top) else None)
        lower = normalize_header(sub[index] if sub and index < len(sub) else None)
        if upper:
            group = upper if lower else None
        elif lower and group:
            upper = group  # under a merged group cell: read-only openpyxl gives only its first cell
        cells.append((upper, lower))
    return cells


def _match_cells(cells, columns, aliases):
    matches = []
    for upper, lower in cells:
        found = None
        for text in [upper + lower, lower, lower + upper] if lower else [upper]:
            found = match_header(text, columns, aliases)
            if found:
                if found.unit is None:
                    found.unit = split_unit(upper)[1] if upper else None  # a group's unit
                break
        matches.append((upper + lower, found))
    return matches


def _looks_like_sub_header(row):
    texts = [value for value in row if not _is_empty(value)]
    if not texts or not all(isinstance(value, str) for value in texts):
        return False
    return not any(SECTION.match(normalize_header(v)) or TOTAL_ROW.match(normalize_header(v)) for v in texts)


def _layout_from(sheet, rows, index, columns, aliases):
    """The best reading of rows[index] (and rows[index + 1] as a second header row) as a header."""
    top = rows[index]
    sub = rows[index + 1] if index + 1 < len(rows) else None
    best = None
    for second in [None, sub] if sub is not None and _looks_like_sub_header(sub) else [None]:
        matches = _match_cells(_header_cells(top, second), columns, aliases)
        keys = {m.header for _t, m in matches if m}
        if best is None or len(keys) > best[0]:
            best = (len(keys), second is not None, matches)
    _count, two_rows, matches = best
    layout = Layout(sheet, index + 1 + (1 if two_rows else 0), {}, [])
    for position, (text, found) in enumerate(matches):
        if not text:
            continue
        layout.texts[position] = text
        if found and not found.header:
            continue  # an importer mapped this column to "ignore"
        if found and found.header not in layout.columns:
            if found.header == SERIAL:
                layout.serial = position
            else:
                layout.columns[found.header] = (position, found)
        elif text == SERIAL or text.startswith("序号"):
            layout.serial = position
        else:
            layout.unknown.append((position, text))
    for row in rows[:index]:
        for value in row:
            text = normalize_header(value)
            if not text:
                continue
            if layout.title_year is None and (year := TITLE_YEAR.search(text)):
                layout.title_year = int(year.group(1))
            if layout.title_months is None and (months := TITLE_MONTHS.search(text)):
                layout.title_months = (int(months.group(1)), int(months.group(2)))
            if layout.note_unit is None and (unit := UNIT_NOTE.search(text)):
                layout.note_unit = unit.group(1)
    return layout


def find_layouts(workbook, aliases):
    """{"listings": Layout, "reports": Layout} found by the headers the sheets carry.

    Of the first rows, the one (with the row below it, if that is a second header row) that names
    the most known columns is the header; a header row has at least three filled cells, so a title or
    a 单位 note above it is never taken for one.
    """
    found = {}
    for sheet in workbook.worksheets:
        rows = [tuple(row) for row in sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True)]
        best = None
        for index in range(len(rows)):
            texts = [normalize_header(value) for value in rows[index] if not _is_empty(value)]
            if len(texts) < 3:
                continue
            is_reports = "月份" in texts and any(t.startswith("当月完成投资") for t in texts)
            if "reports" not in found and is_reports:
                found["reports"] = _layout_from(sheet, rows, index, REPORT_COLUMNS, aliases)
                best = None
                break
            layout = _layout_from(sheet, rows, index, LISTING_COLUMNS, aliases)
            recognised = NAME in layout.columns and len(layout.columns) >= 4
            if recognised and (best is None or len(layout.columns) > len(best.columns)):
                best = layout
        if best is not None and "listings" not in found:
            found["listings"] = best
    return found


def _factor(layout, found):
    return UNIT_FACTORS[found.unit or layout.note_unit or "万元"]


def _parse(layout, key, value):
    index, found = layout.columns[key]
    column = COLUMNS.get(key)
    if key in (CUMULATIVE, AMOUNT) or (column and column.money):
        return parse_money(value, _factor(layout, found))
    if column is None:
        column = next(c for c in REPORT_COLUMNS if c.header == key)
    return column.parse(value)


def _row_label(row, layout):
    """The text that makes a row a section or a total row: its first text cells."""
    indexes = sorted({layout.serial or 0, 0, 1, layout.columns.get(NAME, (0,))[0]})
    for index in indexes:
        if index < len(row) and isinstance(row[index], str) and row[index].strip():
            return normalize_header(row[index])
    return ""


class _Sums:
    """Running sums of the money columns, for checking 合计 and 小计 rows."""

    def __init__(self, keys):
        self.keys = keys
        self.all = defaultdict(Decimal)
        self.section = defaultdict(Decimal)
        self.rows = 0

    def add(self, values):
        self.rows += 1
        for key in self.keys:
            if values.get(key) is not None:
                self.all[key] += values[key]
                self.section[key] += values[key]

    def reset_section(self):
        self.section = defaultdict(Decimal)


def _check_total_row(plan, layout, number, row, label, sums):
    kind_sums = sums.section if label.startswith("小计") else sums.all
    for key in sums.keys:
        index, _found = layout.columns[key]
        value = row[index] if index < len(row) else None
        if _is_empty(value):
            continue
        try:
            stated = _parse(layout, key, value)
        except CellError:
            continue
        if stated != kind_sums[key]:
            plan.file_warnings.append(
                Problem(
                    layout.sheet.title,
                    number,
                    layout.texts.get(index, key),
                    _("%(label)s %(stated)s differs from the sum of its rows %(sum)s")
                    % {"label": label[:10], "stated": display(stated), "sum": display(kind_sums[key])},
                )
            )
    if label.startswith("小计"):
        sums.reset_section()


def _section(label, level, kind):
    match = SECTION.match(label)
    top = bool(match.group(1))
    new_level = next((value for pattern, value in SECTION_LEVELS if pattern.search(label)), None)
    new_kind = next((value for pattern, value in SECTION_KINDS if pattern.search(label)), None)
    if top:  # 一、 starts afresh; （一） refines what its 一、 said
        return new_level, new_kind
    return new_level or level, new_kind or kind


class RowCounter:
    """Counts the data rows read and tells `progress(done, total)` (a background job's bar), if any.

    `total` is what the sheets declare (read-only openpyxl knows it from their <dimension>), or None.
    """

    def __init__(self, progress=None, total=None):
        self.progress, self.total, self.done = progress, total, 0

    def rows(self, sheet, header_row):
        for row in sheet.iter_rows(min_row=header_row + 1, values_only=True):
            self.done += 1
            if self.progress:
                self.progress(self.done, self.total)
            yield row


def declared_rows(layouts):
    """The data rows the sheets of `layouts` declare, or None when one does not say."""
    counts = [layout.sheet.max_row for layout in layouts]
    if any(count is None for count in counts):
        return None
    return sum(max(count - layout.header_row, 0) for count, layout in zip(counts, layouts, strict=True))


def read_listings(plan, layout, counter=None):
    """Yield (excel_row, values) for the listings sheet's project rows; bad cells go to plan.problems."""
    sheet = layout.sheet.title
    for key in ESSENTIAL:
        if key not in layout.columns:
            plan.problems.append(Problem(sheet, layout.header_row, key, _("column missing")))
    cumulative = layout.columns.get(CUMULATIVE)
    months = None
    if cumulative:
        months = cumulative[1].months or layout.title_months
        if months is None or months[0] != 1:
            plan.problems.append(
                Problem(
                    sheet,
                    layout.header_row,
                    layout.texts[cumulative[0]],
                    _("a year-to-date column needs its months (1-M月) in its header or in the title"),
                )
            )
    if plan.problems:
        return
    planned_year = layout.columns[PLANNED][1].year
    sums = _Sums([key for key in (TOTAL, PLANNED, CUMULATIVE) if key in layout.columns])
    level = kind = None
    keys = list(layout.columns)
    if refusal := xlsx_guard.too_many_rows(layout.sheet, layout.header_row, MAX_ROWS):
        plan.problems.append(Problem(sheet, None, "", refusal))
        return
    rows = (counter or RowCounter()).rows(layout.sheet, layout.header_row)
    for number, row in enumerate(rows, layout.header_row + 1):
        if number - layout.header_row > MAX_ROWS:
            plan.problems.append(
                Problem(sheet, number, "", _("Too many rows (at most %(max)s).") % {"max": MAX_ROWS})
            )
            return
        cells = {
            key: (row[index] if index < len(row) else None) for key, (index, _m) in layout.columns.items()
        }
        label = _row_label(row, layout)
        if (
            label
            and SECTION.match(label)
            and _is_empty(cells.get(TOTAL))
            and _is_empty(cells.get(ENTERPRISE))
        ):
            level, kind = _section(label, level, kind)
            sums.reset_section()
            continue
        if label and TOTAL_ROW.match(label):
            _check_total_row(plan, layout, number, row, label, sums)
            continue
        filled = [key for key in keys if not _is_empty(cells[key])]
        if not filled or (filled == [NAME] and len(str(cells[NAME])) > 40):
            continue  # an empty row, or a note under the table (注：…)
        values, bad = {}, False

        def problem(key, message, number=number):
            index = layout.columns[key][0] if key in layout.columns else None
            plan.problems.append(Problem(sheet, number, layout.texts.get(index, key), message))

        for key, value in cells.items():
            if _is_empty(value):
                if (
                    key in (CODE, YEAR, LEVEL, KIND)
                    or COLUMNS.get(key, None) is None
                    or not COLUMNS[key].required
                ):
                    values[key] = TEXT_DEFAULT.get(key)
                    continue
                problem(key, _("required cell is empty"))
                bad = True
                continue
            try:
                values[key] = _parse(layout, key, value)
            except CellError as exc:
                problem(key, f"{exc} ({display(value)[:50]})")
                bad = True
        for key in LISTING_HEADERS:
            values.setdefault(key, TEXT_DEFAULT.get(key))
        values[LEVEL] = values[LEVEL] or level
        values[KIND] = values[KIND] or kind
        values[YEAR] = values[YEAR] or planned_year or layout.title_year
        for key, message in (
            (LEVEL, _("no level: add a 项目级别 column or a section row such as 一、省重点项目")),
            (KIND, _("no kind: add a 项目类型 column or a section row such as （一）新建项目")),
            (YEAR, _("no year: add a 年度 column, a header such as 2025年计划投资 or the year in the title")),
        ):
            if not bad and values[key] is None:
                problem(key, message)
                bad = True
        if not bad and (values.get(LONGITUDE) is None) != (values.get(LATITUDE) is None):
            missing = LATITUDE if values.get(LATITUDE) is None else LONGITUDE
            problem(missing, _("a place needs both 经度 and 纬度"))
            bad = True
        if not values.get(CODE) and not bad:
            values[CODE] = derive_code(values[NAME], values[ENTERPRISE])
            values["derived"] = True
        if bad:
            if values.get(CODE) and CODE in layout.columns:
                plan.bad_codes.add(values[CODE])
            continue
        sums.add(values)
        if cumulative and values.get(CUMULATIVE) is not None:
            values["cumulative"] = (layout.texts[cumulative[0]], months[1])
        yield number, values


def read_reports(plan, layout, counter=None):
    sheet = layout.sheet.title
    missing = [key for key in REPORT_HEADERS if key not in layout.columns]
    for key in missing:
        plan.problems.append(Problem(sheet, layout.header_row, key, _("column missing")))
    if missing:
        return
    if refusal := xlsx_guard.too_many_rows(layout.sheet, layout.header_row, MAX_ROWS):
        plan.problems.append(Problem(sheet, None, "", refusal))
        return
    rows = (counter or RowCounter()).rows(layout.sheet, layout.header_row)
    for number, row in enumerate(rows, layout.header_row + 1):
        if number - layout.header_row > MAX_ROWS:
            plan.problems.append(
                Problem(sheet, number, "", _("Too many rows (at most %(max)s).") % {"max": MAX_ROWS})
            )
            return
        cells = {
            key: (row[index] if index < len(row) else None) for key, (index, _m) in layout.columns.items()
        }
        if all(_is_empty(value) for value in cells.values()):
            continue
        values, bad = {}, False
        for key, value in cells.items():
            if _is_empty(value):
                plan.problems.append(Problem(sheet, number, key, _("required cell is empty")))
                bad = True
                continue
            try:
                values[key] = _parse(layout, key, value)
            except CellError as exc:
                plan.problems.append(Problem(sheet, number, key, f"{exc} ({display(value)[:50]})"))
                bad = True
        if not bad:
            yield number, values


def ledger_read(
    file, *, as_correction=False, decisions=None, create_unknown=False, progress=None
) -> ImportPlan:
    """Parse and validate a ledger workbook and preview its changes; writes nothing.

    `decisions` are the importer's answers about unknown names ({"park:名": "new" | pk});
    `create_unknown` answers "create new" for all of them (a first import into an empty zone).
    `progress(rows_read, rows_in_file)` is told as the rows are read (a background job's bar).
    """
    from .comparing import compare

    plan = ImportPlan(
        as_correction=as_correction, decisions=dict(decisions or {}), create_unknown=create_unknown
    )
    try:
        workbook = _open_workbook(file)
    except CellError as exc:
        plan.problems.append(Problem("", None, "", str(exc)))
        return plan
    aliases = dict(ColumnAlias.objects.values_list("header", "field"))
    try:
        found = find_layouts(workbook, aliases)
        if "listings" not in found:
            plan.problems.append(
                Problem(
                    "",
                    None,
                    "",
                    _("No sheet has the listings headers (项目名称, 建设单位, 所属板块, 总投资…)."),
                ),
            )
            return plan
        counter = RowCounter(progress, declared_rows(found.values()))
        layout = found["listings"]
        plan.sheets["listings"] = layout.sheet.title
        _describe(plan, layout)
        collect_listings(plan, layout.sheet.title, read_listings(plan, layout, counter))
        if "reports" in found:
            layout = found["reports"]
            plan.sheets["reports"] = layout.sheet.title
            _describe(plan, layout)
            collect_reports(plan, layout.sheet.title, read_reports(plan, layout, counter))
        if progress:
            progress(counter.done, counter.done)  # the rows read: a sheet may declare more than it has
    except Exception:  # a damaged sheet part surfaces while iterating; report it, never a 500
        plan.problems.append(Problem("", None, "", _("This is not a readable Excel .xlsx file.")))
        return plan
    finally:
        workbook.close()
    _match_projects(plan)
    compare(plan)
    return plan


def _describe(plan, layout):
    for key, (index, found) in sorted(layout.columns.items(), key=lambda item: item[1][0]):
        unit = found.unit or (
            layout.note_unit if (COLUMNS.get(key) and COLUMNS[key].money) or key == CUMULATIVE else None
        )
        plan.columns.append(
            (layout.sheet.title, get_column_letter(index + 1), layout.texts[index], key, unit or "")
        )
    for index, text in layout.unknown:
        plan.ignored_columns.append((layout.sheet.title, get_column_letter(index + 1), text))


def collect_listings(plan, sheet, rows):
    seen_listing = {}  # (code, year) → (row, values)
    for number, values in rows:
        code = values[CODE]
        own = {header: values[header] for header in PROJECT_HEADERS}
        first = plan.projects.get(code)
        if first is None:
            plan.projects[code] = ProjectRow(number, code, own, derived_code=bool(values.get("derived")))
        else:
            contradiction = False
            for header in PROJECT_HEADERS:
                if own[header] != first.values[header]:
                    contradiction = True
                    plan.problems.append(
                        Problem(
                            sheet,
                            number,
                            header,
                            _("differs from row %(row)s of the same project (%(value)s)")
                            % {"row": first.row, "value": display(first.values[header])},
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
        if values.get("cumulative"):
            header, month = values["cumulative"]
            plan.cumulative.append(
                CumulativeRow(number, header, code, values[YEAR], month, values[CUMULATIVE])
            )
        if own[TOTAL] is not None and values[PLANNED] > own[TOTAL]:
            plan.file_warnings.append(
                Problem(sheet, number, PLANNED, _("annual plan above the total investment"))
            )


def _repeated_row(plan, sheet, number, earlier_row, same, duplicate_column, conflict_column, conflict):
    """A row repeating an earlier one's key: an exact duplicate is ignored with a warning, a
    contradiction is a bad row."""
    if same:
        message = _("duplicate of row %(row)s, ignored") % {"row": earlier_row}
        plan.file_warnings.append(Problem(sheet, number, duplicate_column, message))
    else:
        plan.problems.append(Problem(sheet, number, conflict_column, conflict % {"row": earlier_row}))


def collect_reports(plan, sheet, rows):
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


def _match_projects(plan):
    """Projects of a file without codes are known by name and enterprise: take an existing project's code."""
    derived = {code: row for code, row in plan.projects.items() if row.derived_code}
    if not derived:
        return
    existing = {
        (project.name, project.enterprise.name): project.code
        for project in Project.objects.filter(
            name__in={row.values[NAME] for row in derived.values()}
        ).select_related("enterprise")
    }
    renamed = {}
    for code, row in derived.items():
        matched = existing.get((row.values[NAME], row.values[ENTERPRISE]))
        plan.matches.append((row.row, row.values[NAME], row.values[ENTERPRISE], matched or ""))
        if matched and matched != code:
            renamed[code] = matched
    if not renamed:
        return
    plan.projects = {renamed.get(code, code): row for code, row in plan.projects.items()}
    for row in plan.projects.values():
        row.code = renamed.get(row.code, row.code)
    for item in plan.listings + plan.cumulative:
        item.code = renamed.get(item.code, item.code)
