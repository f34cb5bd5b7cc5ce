"""What users' background jobs do (projects/jobs.py RUNNERS): big exports, the monthly workbook, large
ledger imports. Each runner is `runner(job, progress) -> result dict`; it sees exactly what the page
would have shown its owner (the same filters on the owner's visible rows, in the owner's language).
"""

import tempfile
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext as _

from . import exports, ledger
from .filters import IssueFilter, ProjectFilter
from .jobs import JobFailed
from .ledger.plan import UnknownName
from .models import Issue, Project
from .monthly_report import monthly_report, report_sheets
from .querysets import today

# Above this many rows an export is a background job with a progress page; below, a download.
EXPORT_BACKGROUND_ROWS = 2000
# A ledger file above this size (≈ 2,000 rows) is checked and imported in the background.
IMPORT_BACKGROUND_BYTES = 256 * 1024


def project_export_rows(user, query):
    """(projects, year) of the project list's filters `query` (a QueryDict) for `user`."""
    project_filter = ProjectFilter(query, queryset=Project.objects.visible_to(user), request=_request(user))
    year = project_filter.form.cleaned_data.get("year") if project_filter.is_valid() else None
    return project_filter.qs, int(year) if year else None


def issue_export_rows(user, query):
    issues = Issue.objects.visible_to(user).active()
    return IssueFilter(query, queryset=issues, request=_request(user)).qs


def _request(user):
    return SimpleNamespace(user=user)


def _write(job, progress, sheets, total, filename):
    with tempfile.TemporaryFile(suffix=".xlsx") as handle:
        exports.workbook_write(sheets, handle, progress=lambda done: progress(min(done, total), total))
        handle.seek(0)
        job.file.save(filename, File(handle), save=False)
    return {"filename": filename}


def project_export(job, progress):
    with translation.override(job.params["language"]):
        projects, year = project_export_rows(job.owner, QueryDict(job.params["query"]))
        total = exports.ledger_row_count(projects, year=year)
        progress(0, total)
        sheets = exports.ledger_sheets(projects, year=year)
        return _write(job, progress, sheets, total, job.params["filename"])


def issue_export(job, progress):
    with translation.override(job.params["language"]):
        issues = issue_export_rows(job.owner, QueryDict(job.params["query"]))
        total = issues.count()
        progress(0, total)
        sheets = exports.issue_sheets(issues, today=today())
        return _write(job, progress, sheets, total, job.params["filename"])


def monthly_workbook(job, progress):
    with translation.override(job.params["language"]):
        report = monthly_report(year=job.params["year"], month=job.params["month"], user=job.owner)
        return _write(job, progress, report_sheets(report), 1, job.params["filename"])


def _read(job, progress):
    """The job's ledger read (with the importer's answers), each row read told to `progress`."""
    name = job.params["name"]
    if not default_storage.exists(name):
        raise JobFailed(_("The uploaded ledger is no longer there; please upload the file again."))
    with default_storage.open(name, "rb") as handle:
        return ledger.ledger_read(
            handle,
            as_correction=job.params["as_correction"],
            decisions=job.params.get("decisions"),
            progress=progress,
        )


def import_report(plan, limit=200):
    """What the job page shows of a read ledger: the counts, the problems, the first changes."""
    return {
        "ok": plan.ok,
        "counts": [[str(label), *numbers] for label, *numbers in ledger.count_rows(plan)],
        "errors": [str(ledger.format_problem(problem)) for problem in plan.sorted_errors()[:limit]],
        "more_errors": max(len(plan.errors) - limit, 0),
        "warnings": [str(ledger.format_problem(problem)) for problem in plan.sorted_warnings()[:limit]],
        "changes": len(plan.changes),
        # The questions the page asks, as the upload page does (views.ledger.record_answers).
        "unknown_names": [
            {"kind": u.kind, "name": u.name, "rows": u.rows, "suggestions": u.suggestions}
            for u in plan.unknown_names
        ],
        "ignored_columns": plan.ignored_columns,
        "columns": plan.columns,
        "matches": plan.matches[:limit],
    }


def unknown_names(result):
    """The unknown names of a stored `import_report`, as the plan had them."""
    return [
        UnknownName(
            kind=u["kind"], name=u["name"], rows=u["rows"], suggestions=[tuple(s) for s in u["suggestions"]]
        )
        for u in result.get("unknown_names", [])
    ]


def ledger_preview(job, progress):
    """Read and check a large ledger: the owner answers its questions, then confirms, on the job page."""
    with translation.override(job.params["language"]):
        plan = _read(job, progress)
        if not plan.awaits_importer:
            default_storage.delete(job.params["name"])
        return import_report(plan)


def ledger_import(job, progress):
    """Read the ledger again (the database may have moved on) and write it."""
    with translation.override(job.params["language"]):
        plan = _read(job, progress)
        try:
            ledger.ledger_apply(plan, by=job.owner, as_correction=job.params["as_correction"])
        except IntegrityError:
            message = _("The data changed while importing; nothing was imported. Please upload again.")
            raise JobFailed(message) from None
        except ledger.LedgerRejected as rejected:
            # The database moved on since the check (e.g. a month was locked): the page lists why.
            job.result = import_report(rejected.plan)
            raise JobFailed(str(rejected)) from None
        except PermissionDenied:  # the owner's roles changed since the preview
            raise JobFailed(
                _("Your role does not allow this import any more; nothing was imported.")
            ) from None
        finally:
            default_storage.delete(job.params["name"])
        return import_report(plan) | {"imported": True}
