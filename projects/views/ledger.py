"""The ledger in Excel: import (upload → preview → confirm), template, exports, the monthly report.

The uploaded file is kept between the preview and the confirmation in the default storage under a
random name remembered in the user's session only; the confirmation reads it back from there (never
from form data) and reads and validates it again before writing.

Between the two, the preview asks what the file leaves open: which existing park, department or
person an unknown name is (or "create new"), kept in the session until the confirmation writes them
as aliases; and what an unrecognised column means, saved at once as a column mapping so that next
month's file with the same headers is read without asking.
"""

import datetime
import secrets

from django.contrib import messages
from django.core.files.storage import default_storage
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .. import background, exports, jobs, ledger, xlsx_guard
from ..forms.ledger import LedgerUploadForm
from ..models import (
    YEAR_MAX,
    YEAR_MIN,
    ColumnAlias,
    Department,
    Job,
    NameKind,
    Park,
    ZoneAction,
)
from ..monthly_report import monthly_report
from ..querysets import today
from ..rulebook import may_act_on_zone, require_zone_action
from ..services.reports import default_period, round_state

SESSION_KEY = "ledger_import"
STORAGE_DIR = "ledger-imports"
PREVIEW_CHANGES = 500  # the preview lists this many changes; the counts cover them all
MAPPABLE_CHOICES = [(key, key) for key in ledger.MAPPABLE]


def _discard_pending(request):
    pending = request.session.pop(SESSION_KEY, None)
    if pending and pending.get("name", "").startswith(f"{STORAGE_DIR}/"):
        default_storage.delete(pending["name"])


def _render(request, form, plan=None, pending=False):
    context = {"form": form, "plan": plan, "pending": pending}
    if plan is not None:
        context |= {
            "unknown_names": unknown_name_rows(plan.unknown_names),
            "mappable": MAPPABLE_CHOICES,
            "counts": ledger.count_rows(plan),
            "errors": [ledger.format_problem(problem) for problem in plan.sorted_errors()],
            "error_rows": plan.sorted_errors(),
            "warning_rows": plan.sorted_warnings(),
            "changes": plan.changes[:PREVIEW_CHANGES],
            "more_changes": max(len(plan.changes) - PREVIEW_CHANGES, 0),
        }
    return render(request, "projects/ledger_import.html", context, status=200)


def ledger_import(request):
    """Coordinators and administrators upload a ledger, see what it would change, then confirm."""
    require_zone_action(request.user, ZoneAction.IMPORT_LEDGER)
    may_correct_locked = may_act_on_zone(request.user, ZoneAction.IMPORT_LOCKED_MONTHS)
    if request.method == "POST" and "cancel" in request.POST:
        _discard_pending(request)
        messages.info(request, _("The import was cancelled; nothing was imported."))
        return redirect("ledger_import")
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, may_correct_locked)
    if request.method == "POST" and "answer" in request.POST:
        return _answer(request, may_correct_locked)
    if request.method == "POST":
        form = LedgerUploadForm(request.POST, request.FILES, allow_correction=may_correct_locked)
        if not form.is_valid():
            return _render(request, form)
        _discard_pending(request)
        as_correction = bool(form.cleaned_data.get("as_correction"))
        upload = form.cleaned_data["file"]
        if upload.size > background.IMPORT_BACKGROUND_BYTES:
            # A large ledger is checked in the background; its page offers the confirmation.
            # A zip bomb is refused at once: the archive's directory is enough to tell.
            try:
                xlsx_guard.check_archive(upload)
            except xlsx_guard.UnsafeWorkbook as refused:
                form.add_error("file", str(refused))
                return _render(request, form)
            name = default_storage.save(f"{STORAGE_DIR}/{secrets.token_urlsafe(24)}.xlsx", upload)
            job = jobs.start(
                Job.Kind.LEDGER_PREVIEW,
                owner=request.user,
                name=name,
                as_correction=as_correction,
                language=get_language(),
            )
            return redirect("job_detail", pk=job.pk)
        plan = ledger.ledger_read(upload, as_correction=as_correction)
        if plan.awaits_importer:
            upload.seek(0)
            name = default_storage.save(f"{STORAGE_DIR}/{secrets.token_urlsafe(24)}.xlsx", upload)
            request.session[SESSION_KEY] = {"name": name, "as_correction": as_correction, "decisions": {}}
        return _render(
            request,
            LedgerUploadForm(allow_correction=may_correct_locked),
            plan,
            pending=SESSION_KEY in request.session,
        )
    return _render(request, LedgerUploadForm(allow_correction=may_correct_locked))


def unknown_name_rows(unknown_names):
    """Each unknown name with its choices: the suggestions first, then every park or department."""
    others = {
        NameKind.PARK: list(Park.objects.values_list("pk", "name")),
        NameKind.DEPARTMENT: list(Department.objects.values_list("pk", "name")),
        NameKind.PERSON: [],
    }
    rows = []
    for unknown in unknown_names:
        suggested = {pk for pk, _name, _reason in unknown.suggestions}
        rest = [(pk, name) for pk, name in others[unknown.kind] if pk not in suggested]
        rows.append((unknown, NameKind(unknown.kind).label, rest))
    return rows


def _pending(request):
    pending = request.session.get(SESSION_KEY)
    if not pending or not default_storage.exists(pending["name"]):
        request.session.pop(SESSION_KEY, None)
        messages.error(request, _("There is no uploaded ledger waiting; please upload the file again."))
        return None
    return pending


def _read_pending(pending, may_correct_locked):
    as_correction = bool(pending.get("as_correction")) and may_correct_locked
    with default_storage.open(pending["name"], "rb") as handle:
        return ledger.ledger_read(handle, as_correction=as_correction, decisions=pending.get("decisions"))


def record_answers(post, decisions):
    """The questions form's answers (`post`): returns `decisions` with the names answered; a column's
    meaning is saved at once as a mapping (also for next month's file). Junk choices are no answers."""
    decisions = dict(decisions or {})
    count = post.get("names", "")
    for index in range(min(int(count), 1000) if count.isascii() and count.isdigit() else 0):
        key, choice = post.get(f"key-{index}", ""), post.get(f"name-{index}", "")
        if key and (choice == ledger.NEW or (choice.isascii() and choice.isdigit())):
            decisions[key[:250]] = choice
    for header, meaning in zip(post.getlist("column"), post.getlist("means"), strict=False):
        if meaning == "-":
            continue
        if meaning and meaning not in ledger.MAPPABLE:
            continue
        ColumnAlias.objects.update_or_create(header=header[:100], defaults={"field": meaning})
    return decisions


def _answer(request, may_correct_locked):
    """The importer's answers: what each unknown name is, what each unrecognised column means."""
    pending = _pending(request)
    if pending is None:
        return redirect("ledger_import")
    pending["decisions"] = record_answers(request.POST, pending.get("decisions"))
    request.session[SESSION_KEY] = pending
    plan = _read_pending(pending, may_correct_locked)
    return _render(request, LedgerUploadForm(allow_correction=may_correct_locked), plan, pending=True)


def _confirm(request, may_correct_locked):
    pending = _pending(request)
    if pending is None:
        return redirect("ledger_import")
    as_correction = bool(pending.get("as_correction")) and may_correct_locked
    plan = _read_pending(pending, may_correct_locked)
    try:
        ledger.ledger_apply(plan, by=request.user, as_correction=as_correction)
    except IntegrityError:
        # Another import wrote the same projects at the same moment; nothing of this one was written.
        _discard_pending(request)
        messages.error(
            request, _("The data changed while importing; nothing was imported. Please upload again.")
        )
        return redirect("ledger_import")
    except ledger.LedgerRejected as rejected:
        # The database moved on since the preview (e.g. a month was locked): show the new report.
        _discard_pending(request)
        messages.error(request, str(rejected))
        return _render(request, LedgerUploadForm(allow_correction=may_correct_locked), rejected.plan)
    _discard_pending(request)
    summary = "; ".join(
        _("%(entity)s: %(created)s created, %(updated)s updated")
        % {"entity": label, "created": created, "updated": updated}
        for label, created, updated, _unchanged in ledger.count_rows(plan)
        if created or updated
    )
    messages.success(request, _("The ledger was imported. %(summary)s") % {"summary": summary})
    return redirect("project_list")


def ledger_template(request):
    return exports.ledger_template()


def _background(request, kind, **params):
    job = jobs.start(kind, owner=request.user, language=get_language(), **params)
    return redirect("job_detail", pk=job.pk)


def project_export(request):
    """The project list's rows (same filters, visible projects only) as a ledger that re-imports."""
    projects, year = background.project_export_rows(request.user, request.GET)
    filename = f"projects-{today().strftime('%Y%m%d')}.xlsx"
    if projects.count() > background.EXPORT_BACKGROUND_ROWS:
        return _background(request, Job.Kind.PROJECT_EXPORT, query=request.GET.urlencode(), filename=filename)
    return exports.ledger_export(projects, year=year, filename=filename)


def issue_export(request):
    """The issue list's rows (same filters, visible issues only)."""
    issues = background.issue_export_rows(request.user, request.GET)
    filename = f"issues-{today().strftime('%Y%m%d')}.xlsx"
    if issues.count() > background.EXPORT_BACKGROUND_ROWS:
        return _background(request, Job.Kind.ISSUE_EXPORT, query=request.GET.urlencode(), filename=filename)
    return exports.issue_export(issues, today=today(), filename=filename)


def _report_period(request):
    """Year and month from the query (default: the month being reported, PRODUCT.md "Default period");
    bad values fall back to it, never a 500."""
    default = default_period(today())
    try:
        year = int(request.GET.get("year", default[0]))
        month = int(request.GET.get("month", default[1]))
        datetime.date(year, month, 1)
    except (TypeError, ValueError, OverflowError):  # OverflowError: a 30-digit month (found by fuzzing)
        return default
    if not YEAR_MIN <= year <= YEAR_MAX:
        return default
    return year, month


def monthly_report_page(request):
    year, month = _report_period(request)
    report = monthly_report(year=year, month=month, user=request.user)
    return render(
        request,
        "projects/monthly_report.html",
        {
            "report": report,
            "months": range(1, 13),
            "query": f"year={year}&month={month}",
            "round": round_state(year, month, today()),
        },
    )


def monthly_report_xlsx(request):
    """The monthly report's workbook, built in the background (its page offers the download)."""
    year, month = _report_period(request)
    filename = f"monthly-report-{year}-{month:02d}.xlsx"
    return _background(request, Job.Kind.MONTHLY_WORKBOOK, year=year, month=month, filename=filename)
