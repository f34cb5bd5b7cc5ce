"""The project ledger (台账) in Excel: read, compare, write and report (PRODUCT.md, README "The ledger").

- `reading`: the workbook → an `ImportPlan`, recognising a zone's own layout (header synonyms,
  two-row merged headers, units, section and total rows, no code, the year, year-to-date columns);
- `names`: parks, departments and people the zone does not know are questions with suggestions;
- `comparing`: the plan against the database — what changes, locked months, unknown names;
- `writing`: `ledger_apply`, one transaction with history;
- `reporting`: counts and problem lines for the page and the command;
- `columns`: the columns as data (headers, synonyms, parsers), read by the template and export too.

Decisions the file format leaves open (documented for the users in the template's 说明 sheet):
- One listings row per project per year. A project's own fields describe the project as it is now,
  so every year's row of one project must carry the same values; rows that differ are contradictions
  (bad rows), and so is the same project and year twice with different values. An exact duplicate row
  is only a warning.
- A file without a code column knows a project by its name and enterprise: an existing project of that
  name and enterprise keeps its code, a new one gets a code derived from them (the same in every file).
- An empty optional cell clears the value, except 实际开工日期 (a recorded start is kept) and 项目阶段
  (the stage follows the dates), 签约/立项备案日期 and 经度/纬度 (kept). The stage never goes back
  through an import. A place needs both 经度 and 纬度.
- Projects, listings and reports missing from the file are left alone, never deleted.
- A park, department or person is matched by name or by an alias; nothing unknown is created unless
  the importer answers "create new" (or `--create-unknown`). A matched person lacking the role is
  named anyway, with a warning: granting roles stays with administrators.
- A year-to-date figure (1-M月累计完成) sets month M to the figure less the months before it.
- A report that would create or change a month a coordinator has locked is a bad row, unless an
  administrator imports the file as a correction.
"""

from .columns import (
    ACTUAL_START,
    AMOUNT,
    CODE,
    CONTENT,
    CUMULATIVE,
    DEPARTMENT,
    ENTERPRISE,
    FILED_ON,
    GRID_WORKER,
    INDUSTRY,
    KIND,
    KIND_LABELS,
    LATITUDE,
    LEADER,
    LEVEL,
    LEVEL_LABELS,
    LISTING_COLUMNS,
    LISTING_HEADERS,
    LONGITUDE,
    MAPPABLE,
    MONTH,
    NAME,
    PARK,
    PLANNED,
    PLANNED_START,
    PROJECT_TYPE,
    PROJECT_TYPE_LABELS,
    REPORT_HEADERS,
    SIGNED_ON,
    STAGE,
    STAGE_LABELS,
    TOTAL,
    YEAR,
    CellError,
    normalize_header,
    parse_date,
    parse_money,
)
from .names import NEW, suggestions
from .plan import LISTINGS_SHEET, REPORTS_SHEET, Change, ImportPlan, ImportResult, LedgerRejected, Problem
from .reading import MAX_ROWS, derive_code, ledger_read
from .reporting import count_rows, format_problem
from .writing import ledger_apply, ledger_require_importer, person_username

__all__ = [
    "ACTUAL_START",
    "AMOUNT",
    "CODE",
    "CONTENT",
    "CUMULATIVE",
    "DEPARTMENT",
    "ENTERPRISE",
    "FILED_ON",
    "GRID_WORKER",
    "INDUSTRY",
    "KIND",
    "KIND_LABELS",
    "LATITUDE",
    "LEADER",
    "LEVEL",
    "LEVEL_LABELS",
    "LISTINGS_SHEET",
    "LISTING_COLUMNS",
    "LISTING_HEADERS",
    "LONGITUDE",
    "MAPPABLE",
    "MAX_ROWS",
    "MONTH",
    "NAME",
    "NEW",
    "PARK",
    "PLANNED",
    "PLANNED_START",
    "REPORTS_SHEET",
    "REPORT_HEADERS",
    "SIGNED_ON",
    "PROJECT_TYPE",
    "PROJECT_TYPE_LABELS",
    "STAGE",
    "STAGE_LABELS",
    "TOTAL",
    "YEAR",
    "CellError",
    "Change",
    "ImportPlan",
    "ImportResult",
    "LedgerRejected",
    "Problem",
    "count_rows",
    "derive_code",
    "format_problem",
    "ledger_apply",
    "ledger_require_importer",
    "ledger_read",
    "normalize_header",
    "parse_date",
    "parse_money",
    "person_username",
    "suggestions",
]
