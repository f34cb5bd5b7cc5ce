"""Writing a plan: one transaction, history for every created or changed row, nothing on any error."""

from __future__ import annotations

import hashlib

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .. import access
from ..models import (
    CorrectionStatus,
    Department,
    Enterprise,
    Listing,
    MonthlyReport,
    NameAlias,
    NameKind,
    Park,
    Project,
    ProjectType,
    ReportCorrection,
    Role,
    RoleCode,
    Staff,
    Stage,
    ZoneAction,
)
from ..rulebook import require_zone_action
from .columns import (
    ACTUAL_START,
    CENT,
    CONTENT,
    DEPARTMENT,
    ENTERPRISE,
    FILED_ON,
    GRID_WORKER,
    INDUSTRY,
    LATITUDE,
    LEADER,
    LONGITUDE,
    NAME,
    PARK,
    PLANNED_START,
    PROJECT_TYPE,
    SIGNED_ON,
    STAGE,
    TOTAL,
)
from .comparing import compare, load_state
from .names import ALIAS_FIELD, NEW
from .plan import ImportResult, LedgerRejected

PERSON_USERNAME_PREFIX = "ledger-"


def person_username(name):
    """A stable username for a person the ledger names: the same name always gives the same one."""
    return PERSON_USERNAME_PREFIX + hashlib.sha256(name.encode()).hexdigest()[:12]


def _require_stage_rule(by, project, moves_stage):
    """Stage dates only by those who may log the project's progress (the rulebook), on every path.

    `by` None is the command line without --user: the operator of the server.
    """
    from ..services.progress import may_log_progress

    if moves_stage and by is not None and not may_log_progress(by, project):
        raise PermissionDenied


def ledger_require_importer(by, *, as_correction=False):
    """403 (naming the roles) unless `by` may import the ledger, and import corrections of locked
    months when asked (the rulebook's zone table). `by` None is the command line without --user: the
    server's operator, who imports but never corrects a locked month."""
    if by is not None:
        require_zone_action(by, ZoneAction.IMPORT_LEDGER)
    if as_correction:
        require_zone_action(by, ZoneAction.IMPORT_LOCKED_MONTHS)


@transaction.atomic
def ledger_apply(plan, *, by, as_correction=False) -> ImportResult:
    """Write a plan read by `ledger_read`, all or nothing, with history for every created or changed row.

    `by` is the importing user (None from the command line without --user: the server's operator).
    Who may import, and who may import corrections of locked months, is the rulebook's (403 otherwise).
    Raises `LedgerRejected` if the plan has bad rows.
    The importer's "this is X" answers are remembered as aliases in the same transaction.
    """
    ledger_require_importer(by, as_correction=as_correction)
    plan.as_correction = as_correction
    if plan.problems:
        raise LedgerRejected(plan)
    # Compare again inside the transaction, the projects locked: the database may have moved on since
    # the preview.
    state = load_state(plan, lock=True)
    compare(plan, state)
    if plan.errors:
        raise LedgerRejected(plan)
    user = by if by is not None and by.is_authenticated else None
    staff = access.get_staff(user) if user else None
    reason = _("Ledger import (correction of a locked month)") if as_correction else _("Ledger import")
    history = {"default_user": user, "default_change_reason": reason}
    now = timezone.now()
    _remember_aliases(plan, staff)

    parks = _create_names(Park, plan.new_names.get(NameKind.PARK, set()), state.parks)
    enterprises = _create_names(
        Enterprise,
        {p.values[ENTERPRISE] for p in plan.projects.values()} - set(state.enterprises),
        state.enterprises,
    )
    departments = _create_names(Department, plan.new_names.get(NameKind.DEPARTMENT, set()), state.departments)
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

    to_create, to_update, update_fields, filing_changed = [], [], set(), []
    projects = dict(state.projects)
    for code, project_row in plan.projects.items():
        values = project_row.effective
        wanted = {
            "name": values[NAME],
            "enterprise": enterprises[values[ENTERPRISE]],
            "park": parks[values[PARK]],
            "industry": values[INDUSTRY],
            "total_investment": values[TOTAL],
            "planned_start": values[PLANNED_START],
            "actual_start": values[ACTUAL_START],
            "stage": values[STAGE],
            "signed_on": values[SIGNED_ON],
            "filed_on": values[FILED_ON],
            "project_type": values[PROJECT_TYPE] or ProjectType.NEW_BUILD,
            "longitude": values[LONGITUDE],
            "latitude": values[LATITUDE],
            "leader": person(values[LEADER], RoleCode.LEADER),
            "grid_worker": person(values[GRID_WORKER], RoleCode.GRID_WORKER),
            "lead_department": departments.get(values[DEPARTMENT]),
            "content": values[CONTENT],
        }
        project = projects.get(code)
        if project is None:
            project = Project(code=code, **wanted)
            moves = project.actual_start or project.signed_on or project.filed_on
            _require_stage_rule(by, project, moves is not None or project.stage != Stage.PREPARATION)
            to_create.append(project)
            continue
        changed = [name for name, value in wanted.items() if getattr(project, name) != value]
        _require_stage_rule(
            by, project, bool({"actual_start", "signed_on", "filed_on", "stage"} & set(changed))
        )
        for name in changed:
            setattr(project, name, wanted[name])
        if "filed_on" in changed:
            filing_changed.append(project)
        if changed:
            project.version += 1
            project.updated_at = now
            update_fields.update(changed)
            to_update.append(project)
    for project in bulk_create_with_history(to_create, Project, batch_size=500, **history):
        projects[project.code] = project
    # A new project gets its node plan from its type's template (services.plans).
    from ..services.plans import plans_create_bulk

    plans_create_bulk(to_create, history_user=history["default_user"])
    if to_update:
        fields = sorted(update_fields | {"version", "updated_at"})
        bulk_update_with_history(to_update, Project, fields, batch_size=500, **history)
    # The 立项备案 approval follows the filing date (services.progress.FILING_PERMIT).
    from ..services.progress import filing_permits_follow_bulk

    filing_permits_follow_bulk(
        [p for p in to_create if p.filed_on] + filing_changed,
        history_user=history["default_user"],
    )

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
    _write_reports(plan, state, projects, staff, reason, now, history)
    return ImportResult(counts=plan.counts, changes=plan.changes, warnings=plan.warnings)


def _write_reports(plan, state, projects, staff, reason, now, history):
    reports_new, reports_changed, corrections = [], [], []
    for row in plan.month_reports:
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


def _remember_aliases(plan, staff):
    """Each "this is X" answer becomes an alias, so next month's file is understood without asking."""
    for key, decision in plan.decisions.items():
        kind, _sep, name = key.partition(":")
        if decision == NEW or kind not in ALIAS_FIELD or (kind, name) not in plan.resolved:
            continue
        target = plan.resolved[(kind, name)][0]
        if target.name == name:
            continue
        NameAlias.objects.update_or_create(
            kind=kind, alias=name, defaults={ALIAS_FIELD[kind]: target, "created_by": staff}
        )


def _create_names(model, names, existing):
    found = dict(existing)
    missing = [model(name=name) for name in sorted(set(names) - set(found))]
    if missing:
        model.objects.bulk_create(missing)
        found |= {obj.name: obj for obj in model.objects.filter(name__in=[obj.name for obj in missing])}
    return found


def _create_people(person_roles):
    """Staff for names the importer chose to create: an inactive login without a usable password."""
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
        user, is_new = user_model.objects.get_or_create(
            username=person_username(name), defaults={"is_active": False}
        )
        if is_new:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        staff = Staff.objects.filter(user=user).first() or Staff.objects.create(user=user, name=name)
        staff.roles.add(*(roles[code] for code in codes))
        created[name] = staff
        for code in codes:
            created[(name, code)] = staff
    return created
