"""The ledger in Excel: import (upload → preview → confirm), template, exports, the monthly report.

The uploaded file is kept between the preview and the confirmation in the default storage under a
random name remembered in the user's session only; the confirmation reads it back from there (never
from form data) and reads and validates it again before writing.
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
from ..access import has_role, require_role
from ..forms import LedgerUploadForm
from ..models import Job, RoleCode
from ..monthly_report import monthly_report
from ..querysets import today

SESSION_KEY = "ledger_import"
STORAGE_DIR = "ledger-imports"
IMPORTERS = (RoleCode.COORDINATOR, RoleCode.ADMINISTRATOR)
PREVIEW_CHANGES = 500  # the preview lists this many changes; the counts cover them all


def _discard_pending(request):
    pending = request.session.pop(SESSION_KEY, None)
    if pending and pending.get("name", "").startswith(f"{STORAGE_DIR}/"):
        default_storage.delete(pending["name"])


def _render(request, form, plan=None, pending=False):
    context = {"form": form, "plan": plan, "pending": pending}
    if plan is not None:
        context |= {
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
    require_role(request.user, *IMPORTERS)
    is_admin = has_role(request.user, RoleCode.ADMINISTRATOR)
    if request.method == "POST" and "cancel" in request.POST:
        _discard_pending(request)
        messages.info(request, _("The import was cancelled; nothing was imported."))
        return redirect("ledger_import")
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, is_admin)
    if request.method == "POST":
        form = LedgerUploadForm(request.POST, request.FILES, allow_correction=is_admin)
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
        if plan.ok and plan.changes:
            upload.seek(0)
            name = default_storage.save(f"{STORAGE_DIR}/{secrets.token_urlsafe(24)}.xlsx", upload)
            request.session[SESSION_KEY] = {"name": name, "as_correction": as_correction}
        return _render(
            request, LedgerUploadForm(allow_correction=is_admin), plan, pending=SESSION_KEY in request.session
        )
    return _render(request, LedgerUploadForm(allow_correction=is_admin))


def _confirm(request, is_admin):
    pending = request.session.get(SESSION_KEY)
    if not pending or not default_storage.exists(pending["name"]):
        request.session.pop(SESSION_KEY, None)
        messages.error(request, _("There is no uploaded ledger waiting; please upload the file again."))
        return redirect("ledger_import")
    as_correction = bool(pending.get("as_correction")) and is_admin
    with default_storage.open(pending["name"], "rb") as handle:
        plan = ledger.ledger_read(handle, as_correction=as_correction)
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
        return _render(request, LedgerUploadForm(allow_correction=is_admin), rejected.plan)
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
    """Year and month from the query (default: the current month); bad values fall back, never a 500."""
    now = today()
    try:
        year = int(request.GET.get("year", now.year))
        month = int(request.GET.get("month", now.month))
        datetime.date(year, month, 1)
    except (TypeError, ValueError, OverflowError):  # OverflowError: a 30-digit month (found by fuzzing)
        return now.year, now.month
    if not 2001 <= year <= 2100:
        return now.year, now.month
    return year, month


def monthly_report_page(request):
    year, month = _report_period(request)
    report = monthly_report(year=year, month=month, user=request.user)
    return render(
        request,
        "projects/monthly_report.html",
        {"report": report, "months": range(1, 13), "query": f"year={year}&month={month}"},
    )


def monthly_report_xlsx(request):
    """The monthly report's workbook, built in the background (its page offers the download)."""
    year, month = _report_period(request)
    filename = f"monthly-report-{year}-{month:02d}.xlsx"
    return _background(request, Job.Kind.MONTHLY_WORKBOOK, year=year, month=month, filename=filename)
