"""The monthly investment round (月度投资填报): reading it, saving it, its completeness, locking a month
and correcting a locked month through a coordinator's approval.

Configuration: the deadline of month M's round is day `Rules.report_deadline_day` (an administrator
edits it in the Django admin, "Service rules"; default 5) of month M+1. Locking is manual: after the
deadline a coordinator presses "Lock the month" on the round's status page (a `MonthLock` row; an
administrator may remove it in the admin to reopen the month). A locked month's figures change only
through a `ReportCorrection` a coordinator approves.
"""

import calendar
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access
from ..models import (
    CorrectionStatus,
    MonthLock,
    MonthlyReport,
    Park,
    Project,
    ProjectAction,
    ReportCorrection,
    RoleCode,
    Rules,
    Staff,
    ZoneAction,
)
from ..querysets import grid_groups_of, today
from ..rulebook import projects_where, require_project_action, require_some_grant, require_zone_action

OUTLIER_FACTOR = 10  # a month more than ten times the project's usual month asks for confirmation


class SubqueryCount(Subquery):
    """COUNT(*) of a subquery's rows, portable across SQLite and PostgreSQL."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def round_deadline(year: int, month: int, rules: Rules | None = None) -> datetime.date:
    """Day `Rules.report_deadline_day` of the month after (`rules` saves the query when given)."""
    y, m = next_month(year, month)
    day = min((rules or Rules.current()).report_deadline_day, calendar.monthrange(y, m)[1])
    return datetime.date(y, m, day)


def default_period(on: datetime.date) -> tuple[int, int]:
    """The month reported on `on` (PRODUCT.md "Default period"): the previous month, in January the
    December before. The current month is never the default: its investment is not reported yet."""
    return previous_month(on.year, on.month)


@dataclass(frozen=True)
class RoundState:
    """Whether a month's round is still open (until its due date, or past it) or locked."""

    year: int
    month: int
    deadline: datetime.date
    lock: MonthLock | None
    past_deadline: bool
    is_current: bool  # the month of `on` itself: nothing is reported yet


def round_state(year: int, month: int, on: datetime.date, rules: Rules | None = None) -> RoundState:
    """One query for the lock (and one for Rules unless given)."""
    deadline = round_deadline(year, month, rules)
    return RoundState(
        year=year,
        month=month,
        deadline=deadline,
        lock=MonthLock.objects.filter(year=year, month=month).select_related("locked_by").first(),
        past_deadline=on > deadline,
        is_current=(year, month) == (on.year, on.month),
    )


def month_is_locked(year: int, month: int) -> bool:
    return MonthLock.objects.filter(year=year, month=month).exists()


def _before(year: int, month: int, prefix: str = "") -> Q:
    """Reports of months before (year, month)."""
    return Q(**{f"{prefix}year__lt": year}) | Q(**{f"{prefix}year": year, f"{prefix}month__lt": month})


def round_projects(year: int) -> QuerySet:
    """Every project listed in `year` (the listing is unique per project and year: no duplicates)."""
    return Project.objects.filter(listings__year=year)


def round_projects_for(user, year: int) -> QuerySet:
    """The round a user fills: the year's projects on which the rulebook lets them log progress
    (grid workers their parks' and named projects, coordinators all)."""
    return projects_where(user, ProjectAction.LOG_PROGRESS, round_projects(year).visible_to(user))


def with_round_figures(projects: QuerySet, year: int, month: int) -> QuerySet:
    """Annotate each project with what the round page and the plausibility checks need, in one query:
    this month's amount and note, last month's amount, the year-to-date total (months 1..month),
    everything reported before this month, and the average of its earlier non-zero months."""
    reports = MonthlyReport.objects.filter(project=OuterRef("pk"))
    this = reports.filter(year=year, month=month)
    py, pm = previous_month(year, month)

    def total(qs):
        return Subquery(qs.order_by().values("project").annotate(s=Sum("amount")).values("s"))

    return projects.annotate(
        current_amount=Subquery(this.values("amount")[:1]),
        current_note=Subquery(this.values("note")[:1]),
        last_amount=Subquery(reports.filter(year=py, month=pm).values("amount")[:1]),
        ytd=total(reports.filter(year=year, month__lte=month)),
        reported_before=total(reports.filter(_before(year, month))),
        usual_month=Subquery(
            reports.filter(_before(year, month), amount__gt=0)
            .order_by()
            .values("project")
            .annotate(a=Avg("amount"))
            .values("a")
        ),
    )


def outlier_warnings(project: Project, amount: Decimal) -> list[str]:
    """Plausibility warnings for a month's amount (a project annotated by `with_round_figures`).

    They ask for confirmation; they never refuse a valid value (PRODUCT.md "Figures").
    """
    warnings = []
    remaining = project.total_investment - (project.reported_before or Decimal(0))
    if amount > max(remaining, Decimal(0)):
        warnings.append(
            _("Above the project's remaining total investment (%(remaining)s 万元).")
            % {"remaining": f"{max(remaining, Decimal(0)):,.2f}"}
        )
    usual = project.usual_month
    if usual and amount > OUTLIER_FACTOR * Decimal(usual):
        warnings.append(
            _("More than %(factor)s times the project's usual month (%(usual)s 万元).")
            % {"factor": OUTLIER_FACTOR, "usual": f"{Decimal(usual):,.2f}"}
        )
    return warnings


@dataclass
class RoundRow:
    """One row of a submitted round: the value the form was loaded with and the new one."""

    project_id: int
    amount: Decimal | None
    note: str
    original_amount: Decimal | None
    original_note: str
    confirmed: bool = False


@dataclass
class RoundResult:
    saved: list[int] = field(default_factory=list)
    # project id → warnings; those rows were not saved and wait for confirmation
    unconfirmed: dict[int, list[str]] = field(default_factory=dict)


class RoundConflict(Exception):
    """Rows someone else changed since the page was loaded: project id → its current report."""

    def __init__(self, conflicts: dict[int, MonthlyReport | None]):
        super().__init__("stale monthly reports")
        self.conflicts = conflicts


def _same(a: Decimal | None, b: Decimal | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and Decimal(a) == Decimal(b))


@transaction.atomic
def round_save(*, year: int, month: int, by, rows: list[RoundRow]) -> RoundResult:
    """Save the changed rows of a month's round in one transaction.

    A row outside the round the user may fill (`round_projects_for`) is refused.
    A row whose stored value differs from the one its form was loaded with raises `RoundConflict`
    and nothing is saved. A row with a plausibility warning is saved only when confirmed; the others
    are saved and reported back in `unconfirmed`. Locked months are refused.
    """
    user, staff = access.actor(by)
    require_some_grant(user, ProjectAction.LOG_PROGRESS)
    wanted = {row.project_id: row for row in rows}
    mine = round_projects_for(user, year).filter(pk__in=wanted)
    allowed = {p.pk: p for p in with_round_figures(mine, year, month)}
    if set(wanted) - set(allowed):
        raise ValidationError(_("You cannot report for some of these projects."), code="forbidden")
    if MonthLock.objects.select_for_update().filter(year=year, month=month).exists():
        raise ValidationError(_("This month is locked; request a correction instead."), code="locked")
    if (year, month) > (today().year, today().month):
        raise ValidationError(_("This month has not begun yet."), code="future")
    current = {
        r.project_id: r
        for r in MonthlyReport.objects.select_for_update().filter(
            project__in=list(wanted), year=year, month=month
        )
    }
    conflicts = {}
    changed = []
    for pid, row in wanted.items():
        report = current.get(pid)
        now_amount = report.amount if report else None
        now_note = report.note if report else ""
        if _same(row.amount, now_amount) and row.note == now_note:
            continue  # nothing to write (also when someone else already saved the same)
        if not _same(row.original_amount, now_amount) or row.original_note != now_note:
            conflicts[pid] = report
            continue
        if row.amount is None:
            raise ValidationError(_("A saved figure cannot be cleared; enter 0 instead."), code="cleared")
        changed.append(row)
    if conflicts:
        raise RoundConflict(conflicts)
    result = RoundResult()
    for row in changed:
        project = allowed[row.project_id]
        report = current.get(row.project_id)
        if not (report and _same(report.amount, row.amount)):
            warnings = outlier_warnings(project, row.amount)
            if warnings and not row.confirmed:
                result.unconfirmed[row.project_id] = warnings
                continue
        created = report is None
        report = report or MonthlyReport(project=project, year=year, month=month)
        report.amount = row.amount
        report.note = row.note
        report.reported_by = staff
        report.full_clean(validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError:
            # Someone else inserted the same month's report after our read (no row to lock then).
            if not created:
                raise
            raise RoundConflict(
                {
                    row.project_id: MonthlyReport.objects.filter(
                        project=project, year=year, month=month
                    ).first()
                }
            ) from None
        result.saved.append(row.project_id)
    return result


def round_status_by_park(year: int, month: int) -> QuerySet:
    """Per park: projects in the round and how many have this month's report (one query)."""
    round_ids = round_projects(year).values("pk")
    in_round = Project.objects.filter(park=OuterRef("pk"), pk__in=round_ids)
    reported = in_round.filter(
        Exists(MonthlyReport.objects.filter(project=OuterRef("pk"), year=year, month=month))
    )
    return (
        Park.objects.annotate(
            total=SubqueryCount(in_round.values("pk")), reported=SubqueryCount(reported.values("pk"))
        )
        .annotate(missing=F("total") - F("reported"))
        .filter(total__gt=0)
        .order_by("order", "name")
    )


def round_status_by_worker(year: int, month: int, user=None) -> list:
    """Every grid worker (with their user; only `user`'s profile when given), annotated with the
    projects of their round (their parks' and named), how many have the month's report, and how
    many are `missing`. Three queries: the round's projects counted by (park, named grid worker),
    the workers, their parks."""
    reported = MonthlyReport.objects.filter(year=year, month=month).values("project")
    groups = {
        (park, named): counts
        for park, named, *counts in round_projects(year)
        .order_by()
        .values_list("park", "grid_worker")
        .annotate(total=Count("pk"), reported=Count("pk", filter=Q(pk__in=reported)))
    }
    workers = Staff.objects.filter(roles__code=RoleCode.GRID_WORKER)
    if user is not None:
        workers = workers.filter(user=user)
    workers = list(workers.select_related("user").prefetch_related("parks").order_by("name"))
    for worker in workers:
        theirs = grid_groups_of(groups, {park.pk for park in worker.parks.all()}, worker.pk)
        worker.total = sum(total for total, _reported in theirs)
        worker.reported = sum(reported for _total, reported in theirs)
        worker.missing = worker.total - worker.reported
    return workers


def round_remind_missing(*, year: int, month: int, by) -> int:
    """Notify every grid worker with unreported projects in the month's round; returns how many."""
    from ..notifications import notify

    require_zone_action(access.actor(by)[0], ZoneAction.RUN_ROUND)
    url = reverse("round", args=[year, month])
    count = 0
    for worker in round_status_by_worker(year, month):
        missing = worker.missing
        if missing <= 0:
            continue
        text = _("Monthly investment %(period)s: %(missing)s projects not reported yet, due %(deadline)s.")
        period = f"{year}-{month:02d}"
        deadline = round_deadline(year, month)
        notify(
            recipients=[worker.user],
            text=text % {"period": period, "missing": missing, "deadline": deadline},
            url=url,
        )
        count += 1
    return count


@transaction.atomic
def month_lock(*, year: int, month: int, by) -> MonthLock:
    """Lock a month's round after its deadline (who runs the round, the rulebook says)."""
    require_zone_action(access.actor(by)[0], ZoneAction.RUN_ROUND)
    if today() <= round_deadline(year, month):
        raise ValidationError(
            _("The round is open until %(deadline)s; it can be locked after that.")
            % {"deadline": round_deadline(year, month)},
            code="open",
        )
    try:
        with transaction.atomic():
            return MonthLock.objects.create(year=year, month=month, locked_by=access.actor(by)[1])
    except IntegrityError:
        raise ValidationError(_("This month is already locked."), code="locked") from None


@transaction.atomic
def report_correction_request(
    *, project: Project, year: int, month: int, new_amount: Decimal, reason: str, by
) -> ReportCorrection:
    """Ask to change a locked month's figure (who may log the project's progress); a coordinator decides."""
    require_project_action(access.actor(by)[0], ProjectAction.LOG_PROGRESS, project)
    if not month_is_locked(year, month):
        raise ValidationError(_("This month is not locked; change the figure in the round."), code="open")
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the correction.")})
    report = MonthlyReport.objects.filter(project=project, year=year, month=month).first()
    old = report.amount if report else None
    if _same(old, new_amount):
        raise ValidationError({"new_amount": _("This is the figure already reported.")})
    if ReportCorrection.objects.filter(
        project=project, year=year, month=month, status=CorrectionStatus.PENDING
    ).exists():
        raise ValidationError(_("A correction of this figure is already waiting for a decision."))
    correction = ReportCorrection(
        project=project,
        year=year,
        month=month,
        old_amount=old,
        new_amount=new_amount,
        reason=reason.strip(),
        requested_by=access.actor(by)[1],
    )
    correction.full_clean()
    correction.save()
    return correction


@transaction.atomic
def report_correction_decide(
    *, correction: ReportCorrection, by, approve: bool, note: str = ""
) -> ReportCorrection:
    """Approve (the report takes the new amount, its history records the change) or reject."""
    require_zone_action(access.actor(by)[0], ZoneAction.DECIDE_REPORT_CORRECTION)
    correction = ReportCorrection.objects.select_for_update().get(pk=correction.pk)
    if correction.status != CorrectionStatus.PENDING:
        raise ValidationError(_("This correction has already been decided."), code="decided")
    staff = access.actor(by)[1]
    if approve:
        report = (
            MonthlyReport.objects.select_for_update()
            .filter(project=correction.project_id, year=correction.year, month=correction.month)
            .first()
        )
        if not _same(report.amount if report else None, correction.old_amount):
            raise ValidationError(
                _("The figure changed since the request; reject it and ask for a new one."), code="changed"
            )
        report = report or MonthlyReport(
            project_id=correction.project_id, year=correction.year, month=correction.month
        )
        report.amount = correction.new_amount
        report.note = _("Corrected: %(reason)s") % {"reason": correction.reason}
        report.note = report.note[:200]
        report.reported_by = correction.requested_by
        report.full_clean()
        report.save()
    correction.status = CorrectionStatus.APPROVED if approve else CorrectionStatus.REJECTED
    correction.decided_by = staff
    correction.decided_at = timezone.now()
    correction.decision_note = note.strip()[:200]
    correction.full_clean()
    correction.save()
    return correction
