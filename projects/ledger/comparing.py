"""Comparing a plan with the database: what it would create or change, unknown names, locked months."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ..models import Enterprise, Listing, MonthLock, MonthlyReport, NameKind, Permit, Project, RoleCode, Stage
from ..services.progress import FILING_PERMIT, filing_before_application
from .columns import (
    ACTUAL_START,
    AMOUNT,
    CENT,
    CODE,
    CONTENT,
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
    LONGITUDE,
    NAME,
    PARK,
    PLANNED,
    PLANNED_START,
    PROJECT_HEADERS,
    PROJECT_TYPE,
    PROJECT_TYPE_LABELS,
    SIGNED_ON,
    STAGE,
    STAGE_LABELS,
    TOTAL,
)
from .names import resolve_names, unknown_message
from .plan import Change, Problem, ReportRow, display

UNUSUAL_MONTH_FACTOR = 10  # a month above ten times the project's usual month is worth a look
NAME_COLUMNS = {
    NameKind.PARK: [PARK],
    NameKind.DEPARTMENT: [DEPARTMENT],
    NameKind.PERSON: [LEADER, GRID_WORKER],
}
PERSON_ROLES = {LEADER: RoleCode.LEADER, GRID_WORKER: RoleCode.GRID_WORKER}
LABELS = {STAGE: STAGE_LABELS, PROJECT_TYPE: PROJECT_TYPE_LABELS}  # coded columns, shown in words
STAGE_DATE_FIELD_OF = {SIGNED_ON: "signed_on", FILED_ON: "filed_on", ACTUAL_START: "actual_start"}


@dataclass
class State:
    """What the database holds for the plan's names and codes, loaded in a bounded number of queries."""

    projects: dict
    listings: dict
    reports: dict
    parks: dict
    enterprises: dict
    departments: dict
    staff: dict  # name → [Staff]
    locks: set
    filing_applied: dict  # code → the 立项备案 permit's application date (the filing cannot precede it)


def load_state(plan, *, lock=False):
    codes = set(plan.projects) | {report.code for report in plan.reports}
    projects = Project.objects.filter(code__in=codes).select_related(
        "park", "enterprise", "leader", "grid_worker", "lead_department"
    )
    if lock:
        projects = projects.select_for_update(of=("self",))
    wanted = {kind: defaultdict(list) for kind in NAME_COLUMNS}
    for row in plan.projects.values():
        for kind, headers in NAME_COLUMNS.items():
            for header in headers:
                if row.values[header]:
                    wanted[kind][row.values[header]].append(row.row)
    resolve_names(plan, wanted)

    def resolved(kind):
        return {name: objs[0] for (k, name), objs in plan.resolved.items() if k == kind}

    return State(
        projects={project.code: project for project in projects},
        listings={
            (listing.project.code, listing.year): listing
            for listing in Listing.objects.filter(project__code__in=codes).select_related("project")
        },
        reports={
            (report.project.code, report.year, report.month): report
            for report in MonthlyReport.objects.filter(project__code__in=codes).select_related("project")
        },
        parks=resolved(NameKind.PARK),
        enterprises={
            e.name: e
            for e in Enterprise.objects.filter(
                name__in={p.values[ENTERPRISE] for p in plan.projects.values()}
            )
        },
        departments=resolved(NameKind.DEPARTMENT),
        staff={name: objs for (k, name), objs in plan.resolved.items() if k == NameKind.PERSON},
        locks=set(MonthLock.objects.values_list("year", "month")),
        filing_applied=dict(
            Permit.objects.filter(
                project__code__in=codes, permit_type__name=FILING_PERMIT, applied_on__isnull=False
            ).values_list("project__code", "applied_on")
        ),
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


def project_current(project):
    """A project's fields as the ledger writes them."""
    return {
        NAME: project.name,
        ENTERPRISE: project.enterprise.name,
        PARK: project.park.name,
        INDUSTRY: project.industry,
        TOTAL: project.total_investment.quantize(CENT),
        PLANNED_START: project.planned_start,
        ACTUAL_START: project.actual_start,
        STAGE: project.stage,
        LEADER: project.leader.name if project.leader else "",
        GRID_WORKER: project.grid_worker.name if project.grid_worker else "",
        DEPARTMENT: project.lead_department.name if project.lead_department else "",
        CONTENT: project.content,
        SIGNED_ON: project.signed_on,
        FILED_ON: project.filed_on,
        PROJECT_TYPE: project.project_type,
        LONGITUDE: project.longitude,
        LATITUDE: project.latitude,
    }


def project_label(plan, state, code):
    """How the preview names a project: its code, or its name when the file has no codes."""
    row = plan.projects.get(code)
    if row is not None and row.derived_code and code not in state.projects:
        return row.values[NAME]
    return code


def effective_stage(wanted_stage, actual_start, current_stage=None, *, filed_on=None, signed_on=None):
    """The stage a project gets: the file's, else the current one, moved forward by its dates (a
    start → under construction, a filing → preparation, a signing → signed); never back."""
    stage = wanted_stage or current_stage or Stage.PREPARATION
    for date, reached in (
        (actual_start, Stage.CONSTRUCTION),
        (filed_on, Stage.PREPARATION),
        (signed_on, Stage.SIGNED),
    ):
        if date and Stage.rank(stage) < Stage.rank(reached):
            return reached
    return stage


def _stage_problem(wanted, current_stage):
    stage = wanted[STAGE]
    if stage is None:
        return None
    if current_stage and Stage.rank(stage) < Stage.rank(current_stage):
        return _(
            "the stage cannot go back from %(current)s to %(stage)s; request a correction of the stage date"
        ) % {
            "current": STAGE_LABELS[current_stage],
            "stage": STAGE_LABELS[stage],
        }
    if Stage.rank(stage) >= Stage.rank(Stage.CONSTRUCTION) and wanted[ACTUAL_START] is None:
        return _("stage %(stage)s needs an actual start date") % {"stage": STAGE_LABELS[stage]}
    return None


# The ledger's stage dates and the stage each records (services.progress.STAGE_DATE_FIELD).
STAGE_DATE_HEADERS = (
    (SIGNED_ON, Stage.SIGNED),
    (FILED_ON, Stage.PREPARATION),
    (ACTUAL_START, Stage.CONSTRUCTION),
)


def _stage_date_checks(plan, sheet, project_row, wanted, project, applied=None):
    """The stage page's rules for each date the row records or changes: a date the rules refuse
    (in the future, out of order) is an error; an implausible one (`stage_date_doubts`) a warning,
    which the import's confirmation then confirms."""
    from ..services.progress import stage_change_errors, stage_date_doubts

    for header, stage in STAGE_DATE_HEADERS:
        date = wanted[header]
        if date is None or (project is not None and getattr(project, STAGE_DATE_FIELD_OF[header]) == date):
            continue
        # The project as it would be, without this date yet.
        probe = Project(
            stage=Stage.NEGOTIATING,
            planned_start=wanted[PLANNED_START],
            planned_completion=project.planned_completion if project else None,
            actual_completion=project.actual_completion if project else None,
            production_date=project.production_date if project else None,
            **{
                STAGE_DATE_FIELD_OF[h]: wanted[h]
                or (getattr(project, STAGE_DATE_FIELD_OF[h]) if project else None)
                for h, _stage in STAGE_DATE_HEADERS
                if h != header
            },
        )
        for error in stage_change_errors(probe, stage, date).values():
            plan.db_problems.append(Problem(sheet, project_row.row, header, str(error)))
        if header == FILED_ON and applied and date < applied:
            plan.db_problems.append(
                Problem(sheet, project_row.row, header, filing_before_application(applied))
            )
        for doubt in stage_date_doubts(probe, stage, date):
            plan.db_warnings.append(Problem(sheet, project_row.row, header, doubt))


def _names(plan, counts, listings_sheet, state):
    """Creations of new names; each unanswered unknown name is an error naming its closest matches."""
    projects_in_file = plan.projects.values()
    for kind, entity in ((NameKind.PARK, _("park")), (NameKind.DEPARTMENT, _("department"))):
        for name in sorted(plan.new_names.get(kind, ())):
            plan.changes.append(Change("create", entity, name))
            counts[f"{kind}:created"] += 1
    for name in sorted({p.values[ENTERPRISE] for p in projects_in_file} - set(state.enterprises)):
        plan.changes.append(Change("create", _("enterprise"), name))
        counts["enterprise:created"] += 1
    new_people = {}
    for project_row in projects_in_file:
        for header, role in PERSON_ROLES.items():
            name = project_row.values[header]
            if name and name in plan.new_names.get(NameKind.PERSON, ()):
                new_people.setdefault(name, set()).add(role)
            elif name and name in state.staff:
                _person(state, plan, name, role, project_row.row, header, listings_sheet)
    for name in sorted(new_people):
        plan.changes.append(Change("create", _("staff member"), name))
        counts["staff:created"] += 1
    plan.person_roles = new_people
    for unknown in plan.unknown_names:
        header = NAME_COLUMNS[unknown.kind][0]
        if unknown.kind == NameKind.PERSON:
            header = next(
                (h for h in (LEADER, GRID_WORKER) for p in projects_in_file if p.values[h] == unknown.name),
                LEADER,
            )
        plan.db_problems.append(Problem(listings_sheet, unknown.rows[0], header, unknown_message(unknown)))


def compare(plan, state=None):
    """Fill plan.changes, plan.counts, plan.locked and the database-dependent problems and warnings."""
    plan.changes, plan.locked, plan.db_problems, plan.db_warnings = [], [], [], []
    state = state or load_state(plan)
    listings_sheet, reports_sheet = plan.sheets["listings"], plan.sheets["reports"]
    counts = defaultdict(int)
    _names(plan, counts, listings_sheet, state)

    for code, project_row in plan.projects.items():
        wanted = dict(project_row.values)
        project = state.projects.get(code)
        _stage_date_checks(plan, listings_sheet, project_row, wanted, project, state.filing_applied.get(code))
        if project is None:
            problem = _stage_problem(wanted, None)
            if problem:
                plan.db_problems.append(Problem(listings_sheet, project_row.row, STAGE, problem))
            wanted[STAGE] = effective_stage(
                wanted[STAGE], wanted[ACTUAL_START], filed_on=wanted[FILED_ON], signed_on=wanted[SIGNED_ON]
            )
            project_row.effective = wanted
            plan.changes.append(
                Change(
                    "create",
                    _("project"),
                    f"{'' if project_row.derived_code else code + ' '}{wanted[NAME]}",
                    [(_("stage"), "", STAGE_LABELS[wanted[STAGE]])],
                )
            )
            counts["project:created"] += 1
            continue
        current = project_current(project)
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
        # Kept silently: most zones' tables do not carry them (a place is both or neither: reading).
        for header in (SIGNED_ON, FILED_ON, PROJECT_TYPE, LONGITUDE, LATITUDE):
            if wanted[header] is None:
                wanted[header] = current[header]
        if wanted[PROJECT_TYPE] != current[PROJECT_TYPE]:
            plan.db_warnings.append(
                Problem(
                    listings_sheet,
                    project_row.row,
                    PROJECT_TYPE,
                    _("the node plan stays as it is; the plan page adds the new type's missing nodes"),
                )
            )
        problem = _stage_problem(wanted, project.stage)
        if problem:
            plan.db_problems.append(Problem(listings_sheet, project_row.row, STAGE, problem))
        wanted[STAGE] = effective_stage(
            wanted[STAGE],
            wanted[ACTUAL_START],
            project.stage,
            filed_on=wanted[FILED_ON],
            signed_on=wanted[SIGNED_ON],
        )
        project_row.effective = wanted
        diffs = [
            (
                header,
                LABELS[header][current[header]] if header in LABELS else display(current[header]),
                LABELS[header][wanted[header]] if header in LABELS else display(wanted[header]),
            )
            for header in PROJECT_HEADERS
            if current[header] != wanted[header]
        ]
        if diffs:
            plan.changes.append(Change("update", _("project"), f"{code} {project.name}", diffs))
            counts["project:updated"] += 1
        else:
            counts["project:unchanged"] += 1

    for listing_row in plan.listings:
        listing = state.listings.get((listing_row.code, listing_row.year))
        key = f"{project_label(plan, state, listing_row.code)} {listing_row.year}"
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
            diffs.append((PLANNED, display(listing.planned_investment), display(listing_row.planned)))
        if diffs:
            plan.changes.append(Change("update", _("listing"), key, diffs))
            counts["listing:updated"] += 1
        else:
            counts["listing:unchanged"] += 1

    _compare_reports(plan, state, counts, listings_sheet, reports_sheet)
    plan.counts = dict(counts)
    return state


def _month_reports(plan, state, listings_sheet):
    """The file's monthly reports plus those its year-to-date figures give: [(report, sheet, header)]."""
    rows = [(report, plan.sheets["reports"], AMOUNT) for report in plan.reports]
    in_file = {(r.code, r.year, r.month): r.amount for r in plan.reports}
    for item in plan.cumulative:
        earlier = {
            month: report.amount
            for (code, year, month), report in state.reports.items()
            if code == item.code and year == item.year and month < item.month
        }
        earlier |= {
            month: amount
            for (code, year, month), amount in in_file.items()
            if code == item.code and year == item.year and month < item.month
        }
        amount = item.total - sum(earlier.values())
        if amount < 0:
            plan.db_problems.append(
                Problem(
                    listings_sheet,
                    item.row,
                    item.header,
                    _("year-to-date %(total)s is below the months 1–%(before)s already recorded (%(sum)s)")
                    % {
                        "total": display(item.total),
                        "before": item.month - 1,
                        "sum": display(sum(earlier.values())),
                    },
                )
            )
            continue
        rows.append(
            (
                ReportRow(item.row, item.code, item.year, item.month, amount.quantize(CENT)),
                listings_sheet,
                item.header,
            )
        )
    plan.month_reports = [report for report, _sheet, _header in rows]
    return rows


def _compare_reports(plan, state, counts, listings_sheet, reports_sheet):
    # The usual month of each project: the database's reports overlaid with the file's.
    rows = _month_reports(plan, state, listings_sheet)
    amounts = defaultdict(dict)
    for (code, year, month), report in state.reports.items():
        amounts[code][(year, month)] = report.amount
    for report_row in plan.month_reports:
        amounts[report_row.code][(report_row.year, report_row.month)] = report_row.amount
    for report_row, sheet, header in rows:
        code = report_row.code
        if code not in plan.projects and code not in state.projects:
            if code in plan.bad_codes:
                continue  # its listings row is already reported; "unknown project" would only add noise
            plan.db_problems.append(
                Problem(sheet, report_row.row, CODE, _("unknown project %(code)s") % {"code": code})
            )
            continue
        report = state.reports.get((code, report_row.year, report_row.month))
        key = f"{project_label(plan, state, code)} {report_row.year}-{report_row.month:02d}"
        if report is not None and report.amount.quantize(CENT) == report_row.amount:
            counts["report:unchanged"] += 1
            continue
        if (report_row.year, report_row.month) in state.locks:
            plan.locked.append(
                Problem(
                    sheet,
                    report_row.row,
                    header,
                    _("%(year)s-%(month)02d is locked; only an administrator's correction may change it")
                    % {"year": report_row.year, "month": report_row.month},
                )
            )
        if report is None:
            plan.changes.append(
                Change("create", _("monthly report"), key, [(AMOUNT, "", display(report_row.amount))])
            )
            counts["report:created"] += 1
        else:
            plan.changes.append(
                Change(
                    "update",
                    _("monthly report"),
                    key,
                    [(AMOUNT, display(report.amount), display(report_row.amount))],
                )
            )
            counts["report:updated"] += 1
        others = [amount for ym, amount in amounts[code].items() if ym != (report_row.year, report_row.month)]
        usual = sum(others) / len(others) if len(others) >= 3 else None
        if usual and report_row.amount > usual * UNUSUAL_MONTH_FACTOR:
            plan.db_warnings.append(
                Problem(
                    sheet,
                    report_row.row,
                    header,
                    _("unusually large: more than %(factor)s times the project's usual month (%(usual)s)")
                    % {"factor": UNUSUAL_MONTH_FACTOR, "usual": display(usual.quantize(CENT))},
                )
            )
        total = (
            plan.projects[code].values[TOTAL]
            if code in plan.projects
            else state.projects[code].total_investment
        )
        if report_row.amount > total:
            plan.db_warnings.append(
                Problem(sheet, report_row.row, header, _("a month above the project's total investment"))
            )
