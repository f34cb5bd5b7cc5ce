"""A project's node plan (挂图作战): made from its type's template, adjusted, its nodes done.

Writes go through to where each date lives (models/plans.py): a stage node's actual date is recorded
by `project_record_stage_date`, a permit node's by approving the permit, a free node's on the node;
the start's and the completion's planned dates are the project's. Every write locks the project, checks
its optimistic version (when the caller passes one), bumps it and leaves the history rows.
"""

import bisect
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import access, workdays
from ..dates import validate_planned
from ..models import NodeTemplate, Permit, PermitStatus, PlanNode, Project, ProjectAction, Staff, Stage
from ..models.plans import STAGE_PLANNED_FIELD
from ..querysets import today
from ..rulebook import may_act_on_project
from .progress import (
    FILING_PERMIT,
    _bump,
    _lock,
    _refresh,
    project_record_stage_date,
    refuse_unconfirmed_doubts,
)

# A free node added by hand goes after the template's nodes until the plan is renumbered.
EXTRA_ORDER = 100


def may_edit_plan(user, project: Project) -> bool:
    """The rulebook's EDIT_PLAN (the project's grid workers, coordinators, administrators); the
    caller has checked visibility (else 404)."""
    return may_act_on_project(user, ProjectAction.EDIT_PLAN, project)


def _check(by, project):
    if by is not None and not isinstance(by, Staff) and not may_edit_plan(by, project):
        raise PermissionDenied(_("You may not change this project's plan."))


def plan_anchor(project: Project) -> datetime.date:
    """The day the template's offsets count from: the signing, else the filing, else today."""
    return project.signed_on or project.filed_on or today()


def working_day_adder(first: datetime.date, last_offset: int):
    """A function (day, n) → the n-th working day after `day`, for days from `first` on and offsets
    up to `last_offset`; the calendar is read once (one query) for the whole range."""
    end = first + datetime.timedelta(days=last_offset * 2 + 400)
    overrides = workdays._overrides(first, end)
    working = [
        day
        for day in (first + datetime.timedelta(days=i) for i in range((end - first).days + 1))
        if workdays._is_workday(day, overrides)
    ]

    def add(day: datetime.date, offset: int) -> datetime.date:
        if offset == 0:
            return day
        if day > end:  # outside the range read: ask the calendar
            return workdays.add_working_days(day, offset)
        position = bisect.bisect_right(working, day)  # working days after `day` start here
        if position + offset - 1 < len(working):
            return working[position + offset - 1]
        return workdays.add_working_days(day, offset)

    return add


def _template_nodes(project: Project, templates, existing, add) -> list[PlanNode]:
    """The template's nodes `project` lacks (unsaved); `existing`: the project's nodes.

    The start's and the completion's planned dates are the project's own (set on the project or on
    the node, which writes them there): the template never invents them, so no light turns red
    for a date nobody chose.
    """
    stages = {node.stage for node in existing if node.stage}
    permits = {node.permit_type_id for node in existing if node.permit_type_id}
    names = {node.name for node in existing}
    anchor = plan_anchor(project)
    new = []
    for template in templates:
        if template.project_type != project.project_type:
            continue
        if (
            (template.stage and template.stage in stages)
            or (template.permit_type_id and template.permit_type_id in permits)
            or (not template.stage and not template.permit_type_id and template.name in names)
        ):
            continue
        node = PlanNode(
            project=project,
            name=template.name,
            order=template.order,
            department_id=template.department_id,
            is_key=template.is_key,
            stage=template.stage,
            permit_type_id=template.permit_type_id,
            template=template,
        )
        if template.stage not in STAGE_PLANNED_FIELD:
            node.planned_date = add(anchor, template.offset_days)
        new.append(node)
    return new


def _adder_for(projects, templates):
    anchors = [plan_anchor(project) for project in projects]
    if not anchors:
        return None
    longest = max((template.offset_days for template in templates), default=0)
    return working_day_adder(min(anchors), longest)


@transaction.atomic
def plan_create(*, project: Project, by=None, expected_version: int | None = None) -> int:
    """Add the template's nodes of the project's type that its plan lacks; returns how many.

    Idempotent: a node bound to the same stage or permit, or a free node of the same name, is kept
    as it is. A template node's planned date is the anchor plus its offset in working days.
    """
    _check(by, project)
    locked = _lock(project, expected_version)
    templates = list(NodeTemplate.objects.filter(project_type=locked.project_type))
    new = _template_nodes(locked, templates, list(locked.nodes.all()), _adder_for([locked], templates))
    for node in new:
        node.full_clean()
        node.save()
    if new:
        _renumber(locked)
        locked._change_reason = _("Node plan made from the template")
        _bump(locked)
        _refresh(project, locked)
    return len(new)


def plans_create_bulk(projects, *, history_user=None, keep_existing=False) -> int:
    """Plans for many projects at once (ledger import, demo, `make_plans`): the same nodes as
    `plan_create`, in bulk inserts with their history rows; returns the number of nodes. The caller
    holds the transaction (and the rows). New projects have no nodes yet; with `keep_existing` the
    nodes already there (migrated milestones) are read first and kept, and the plan renumbered."""
    from simple_history.utils import bulk_create_with_history

    projects = list(projects)
    templates = list(NodeTemplate.objects.all())
    add = _adder_for(projects, templates)
    if add is None:
        return 0
    existing = {}
    if keep_existing:
        for node in PlanNode.objects.filter(project__in=projects):
            existing.setdefault(node.project_id, []).append(node)
    nodes = []
    for project in projects:
        new = _template_nodes(project, templates, existing.get(project.pk, []), add)
        if not existing.get(project.pk):
            for position, node in enumerate(sorted(new, key=lambda n: n.order), start=1):
                node.order = position
        nodes += new
    bulk_create_with_history(nodes, PlanNode, batch_size=1000, default_user=history_user)
    for project in projects:
        if existing.get(project.pk):
            _renumber(project)
    return len(nodes)


def _renumber(project: Project) -> None:
    """Order the plan by planned date (template order breaking ties; undated nodes last)."""
    nodes = list(PlanNode.objects.filter(project=project).with_dates())
    far = datetime.date.max
    nodes.sort(key=lambda n: (n.planned_on or n.done_on or far, n.order, n.pk))
    for position, node in enumerate(nodes, start=1):
        if node.order != position:
            node.order = position
            node.save(update_fields=["order"])


def node_errors(*, planned_date=None, actual_date=None) -> dict:
    errors = {}
    if actual_date and actual_date > today():
        errors["actual_date"] = _("The date cannot be in the future.")
    try:
        validate_planned(planned_date)
    except ValidationError as error:
        errors["planned_date"] = error.messages[0]
    return errors


# Plausibility of a node's dates (PRODUCT.md "Plausibility … a warning to confirm, never a reason to
# refuse"): such a date is kept only after a second confirmation, as a stage date is.
FAR_YEARS = 3  # a planned date more than three years from today, or done that long ago


def node_stage(node: PlanNode) -> str:
    """The stage date a node records: its stage, or the filing for the 立项备案 permit's node."""
    if node.stage:
        return node.stage
    if node.permit_type_id and node.permit_type.name == FILING_PERMIT:
        return Stage.PREPARATION
    return ""


def node_planned_date(node: PlanNode):
    """The node's planned date where it lives: the project's planned start or completion, or its own."""
    field = STAGE_PLANNED_FIELD.get(node.stage)
    return getattr(node.project, field) if field else node.planned_date


def node_date_doubts(node: PlanNode, *, planned_date=None, actual_date=None) -> list[str]:
    """Why a valid planned or actual date of `node` looks wrong (empty when it does not): far from
    today, before the signing, or planned out of order with the neighbouring nodes. A stage node's
    actual date is judged by `stage_date_doubts` (through the stage-date service)."""
    project = node.project
    now = today()
    far = datetime.timedelta(days=365 * FAR_YEARS)
    doubts = []
    if planned_date is not None:
        if not now - far <= planned_date <= now + far:
            doubts.append(
                _("The planned date is more than %(years)s years from today.") % {"years": FAR_YEARS}
            )
        others = list(PlanNode.objects.filter(project=project).exclude(pk=node.pk).with_dates())
        earlier = [n for n in others if n.order < node.order and n.planned_on and n.planned_on > planned_date]
        later = [n for n in others if n.order > node.order and n.planned_on and n.planned_on < planned_date]
        if earlier:
            last = max(earlier, key=lambda n: n.planned_on)
            doubts.append(
                _("It is planned before the earlier node %(name)s (%(date)s).")
                % {"name": last.name, "date": last.planned_on}
            )
        if later:
            first = min(later, key=lambda n: n.planned_on)
            doubts.append(
                _("It is planned after the later node %(name)s (%(date)s).")
                % {"name": first.name, "date": first.planned_on}
            )
    if actual_date is not None and not node_stage(node) and actual_date < now - far:
        doubts.append(_("The date is more than %(years)s years ago.") % {"years": FAR_YEARS})
    dates = [d for d in (planned_date, None if node_stage(node) else actual_date) if d is not None]
    if project.signed_on and any(d < project.signed_on for d in dates):
        doubts.append(_("The date is before the signing (%(date)s).") % {"date": project.signed_on})
    return doubts


def _locked_node(node: PlanNode, project: Project) -> PlanNode:
    if node.project_id != project.pk:
        raise ValidationError(_("This node belongs to another project."))
    return PlanNode.objects.select_for_update().get(pk=node.pk)


@transaction.atomic
def node_update(
    *,
    node: PlanNode,
    by,
    planned_date: datetime.date | None,
    responsible: Staff | None,
    department=None,
    is_key: bool | None = None,
    name: str | None = None,
    note: str = "",
    expected_version: int | None,
    doubts_confirmed: bool = False,
) -> None:
    """Adjust a node: its planned date (the project's planned start or completion for those two
    nodes), responsible person and department, and — for a node added by hand — its name and key flag.
    A doubtful planned date (`node_date_doubts`) needs `doubts_confirmed`."""
    project = node.project
    _check(by, project)
    errors = node_errors(planned_date=planned_date)
    if name is not None and not name.strip():
        errors["name"] = _("Name the node.")
    if errors:
        raise ValidationError(errors)
    if planned_date is not None and planned_date != node_planned_date(node):
        # Only a changed date is judged: adjusting the responsible person does not ask again.
        refuse_unconfirmed_doubts(
            node_date_doubts(node, planned_date=planned_date), doubts_confirmed, "planned_date"
        )
    locked = _lock(project, expected_version)
    locked_node = _locked_node(node, locked)
    field = STAGE_PLANNED_FIELD.get(locked_node.stage)
    if field:
        other = "planned_completion" if field == "planned_start" else "planned_start"
        other_date = getattr(locked, other)
        if (
            planned_date
            and other_date
            and (
                (field == "planned_start" and planned_date > other_date)
                or (field == "planned_completion" and planned_date < other_date)
            )
        ):
            raise ValidationError(
                {"planned_date": _("The planned start must be before the planned completion (%(date)s).")
                 % {"date": other_date}}
            )  # fmt: skip
        setattr(locked, field, planned_date)
    else:
        locked_node.planned_date = planned_date
    locked_node.responsible = responsible
    locked_node.department = department
    locked_node.note = note.strip()
    if locked_node.template_id is None:
        if name is not None:
            locked_node.name = name.strip()
        if is_key is not None:
            locked_node.is_key = is_key
    locked_node._history_user = getattr(by, "user", by)
    locked_node.full_clean()
    locked_node.save()
    locked._change_reason = _("Node plan adjusted")
    _bump(locked)
    _refresh(project, locked)
    _copy(node, locked_node)


@transaction.atomic
def node_add(
    *,
    project: Project,
    by,
    name: str,
    planned_date: datetime.date | None,
    responsible: Staff | None = None,
    department=None,
    is_key: bool = False,
    expected_version: int | None,
) -> PlanNode:
    """An extra node of the project's plan (a free node, dated on itself)."""
    _check(by, project)
    errors = node_errors(planned_date=planned_date)
    if not name or not name.strip():
        errors["name"] = _("Name the node.")
    if errors:
        raise ValidationError(errors)
    locked = _lock(project, expected_version)
    node = PlanNode(
        project=locked,
        name=name.strip(),
        order=EXTRA_ORDER,
        planned_date=planned_date,
        responsible=responsible,
        department=department,
        is_key=is_key,
    )
    node._history_user = getattr(by, "user", by)
    node.full_clean()
    node.save()
    _renumber(locked)
    _bump(locked)
    _refresh(project, locked)
    node.refresh_from_db()
    return node


@transaction.atomic
def node_complete(
    *,
    node: PlanNode,
    by,
    date: datetime.date,
    evidence: str = "",
    expected_version: int | None,
    doubts_confirmed: bool = False,
) -> None:
    """Mark a node done on `date`, with its evidence in words (files are attached as documents).

    A stage node records the project's stage date (the stage moves with it, PRODUCT.md "Figures"); a
    permit node approves the permit on that date; a free node keeps its actual date.
    """
    project = node.project
    _check(by, project)
    errors = node_errors(actual_date=date)
    if errors:
        raise ValidationError({"date": errors["actual_date"]})
    # The 立项备案 approval is the filing (services.progress.FILING_PERMIT): recorded as the stage date,
    # whose service judges the doubts; the other nodes' doubts are judged here.
    stage = node_stage(node)
    if not stage:
        refuse_unconfirmed_doubts(node_date_doubts(node, actual_date=date), doubts_confirmed)
    if stage:
        # Its own transaction step: locks the project, checks the version, writes the progress note.
        project_record_stage_date(
            project=project,
            by=by,
            stage=stage,
            date=date,
            expected_version=expected_version,
            doubts_confirmed=doubts_confirmed,
        )
        expected_version = project.version
    locked = _lock(project, expected_version)
    locked_node = _locked_node(node, locked)
    if locked_node.permit_type_id and not stage:
        permit, _created = Permit.objects.get_or_create(project=locked, permit_type=locked_node.permit_type)
        if permit.applied_on and date < permit.applied_on:
            raise ValidationError({"date": _("The approval cannot be before the application.")})
        permit.status = PermitStatus.APPROVED
        permit.approved_on = date
        permit.handler = permit.handler or access.actor(by)[1]
        permit.full_clean()
        permit.save()
    elif not locked_node.stage:
        locked_node.actual_date = date
    locked_node.evidence = evidence.strip()
    locked_node._history_user = getattr(by, "user", by)
    locked_node.full_clean()
    locked_node.save()
    if not stage:
        _bump(locked)
    _refresh(project, locked)
    _copy(node, locked_node)


def _copy(node: PlanNode, saved: PlanNode) -> None:
    for field in [
        "name",
        "planned_date",
        "actual_date",
        "responsible_id",
        "department_id",
        "evidence",
        "is_key",
    ]:
        setattr(node, field, getattr(saved, field))
