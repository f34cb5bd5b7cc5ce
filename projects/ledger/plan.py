"""What reading a ledger produces: the plan of changes, its problems and its questions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

LISTINGS_SHEET = "项目清单"
REPORTS_SHEET = "月度投资"


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
    derived_code: bool = False  # the file has no code: known by its name and enterprise


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
class CumulativeRow:
    """A year-to-date figure (1-M月累计完成) of a project: month M gets what the earlier months lack."""

    row: int
    header: str
    code: str
    year: int
    month: int
    total: Decimal


@dataclass
class UnknownName:
    """A park, department or person the zone does not know: the importer says which it is."""

    kind: str  # NameKind
    name: str
    rows: list[int]
    suggestions: list = field(default_factory=list)  # [(pk, name, reason)]

    @property
    def key(self):
        return f"{self.kind}:{self.name}"


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
    cumulative: list[CumulativeRow] = field(default_factory=list)
    month_reports: list[ReportRow] = field(default_factory=list)  # reports + those the cumulative give
    changes: list[Change] = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    as_correction: bool = False
    # Names: the importer's answers {"park:名": "new" | pk}, or create every unknown name.
    decisions: dict = field(default_factory=dict)
    create_unknown: bool = False
    unknown_names: list[UnknownName] = field(default_factory=list)  # still unanswered: each an error
    resolved: dict = field(default_factory=dict)  # (kind, name) → the model instance it is
    new_names: dict = field(default_factory=dict)  # kind → names to create
    # Layout: what the reader recognised, for the preview.
    columns: list = field(default_factory=list)  # [(sheet, column letter, header text, recognised as)]
    ignored_columns: list = field(default_factory=list)  # [(sheet, header text)] not recognised
    matches: list = field(default_factory=list)  # [(row, name, enterprise, matched code or "")]

    @property
    def errors(self):
        return self.problems + self.db_problems + ([] if self.as_correction else self.locked)

    @property
    def warnings(self):
        return self.file_warnings + self.db_warnings

    @property
    def ok(self):
        return not self.errors

    @property
    def awaits_importer(self):
        """Something for the importer to confirm (valid changes) or answer (names, columns): keep the file."""
        return (self.ok and bool(self.changes)) or bool(self.unknown_names) or bool(self.ignored_columns)

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


def display(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    # Excel keeps a date as a datetime at midnight; show the date as it was typed.
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    return str(value)
