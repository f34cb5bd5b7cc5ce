"""A user's background jobs: the progress page, the download, and the questions and confirmation of a
ledger checked in the background (as the upload page asks them for a small file)."""

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import background, jobs
from ..models import Job, ZoneAction
from ..rulebook import may_act_on_zone, require_zone_action


def _own_job(request, pk):
    """Only the user who started a job sees it (anyone else: 404)."""
    return get_object_or_404(Job, pk=pk, owner=request.user)


def _open_check(job):
    """A ledger check whose questions and confirmation are still open: done, and not settled yet
    (imported, answered — a new check then runs — or cancelled)."""
    return (
        job.kind == Job.Kind.LEDGER_PREVIEW
        and job.status == Job.Status.DONE
        and not job.params.get("settled")
    )


def job_detail(request, pk):
    from .ledger import MAPPABLE_CHOICES, unknown_name_rows

    job = _own_job(request, pk)
    context = {"job": job, "Kind": Job.Kind, "open_check": _open_check(job)}
    if context["open_check"]:
        context |= {
            "unknown_names": unknown_name_rows(background.unknown_names(job.result)),
            "ignored_columns": job.result.get("ignored_columns", []),
            "mappable": MAPPABLE_CHOICES,
            "action": reverse("job_answer", args=[job.pk]),
            "pending": True,
        }
    return render(request, "projects/job_detail.html", context)


def job_download(request, pk):
    job = _own_job(request, pk)
    if job.status != Job.Status.DONE or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.result.get("filename"))


def _waiting_check(request, pk):
    """The user's open ledger check (404 for any other job), or None with a message if its file is gone."""
    require_zone_action(request.user, ZoneAction.IMPORT_LEDGER)
    check = _own_job(request, pk)
    if check.kind != Job.Kind.LEDGER_PREVIEW or check.status != Job.Status.DONE:
        raise Http404
    if not _open_check(check) or not default_storage.exists(check.params.get("name", "")):
        messages.error(request, _("There is no uploaded ledger waiting; please upload the file again."))
        return None
    return check


def _settle(check):
    check.params["settled"] = True
    check.save(update_fields=["params"])


def _follow_up(request, check, kind, **changes):
    """Start `kind` on the checked file (the same upload, its answers) and show its page."""
    params = check.params | {"language": get_language()} | changes
    params.pop("settled", None)
    params["as_correction"] = bool(params.get("as_correction")) and may_act_on_zone(
        request.user, ZoneAction.IMPORT_LOCKED_MONTHS
    )
    job = jobs.start(kind, owner=request.user, **params)
    return redirect("job_detail", pk=job.pk)


@require_POST
def job_confirm_import(request, pk):
    """Import a ledger its background check found without errors (the checked file is read again)."""
    check = _waiting_check(request, pk)
    if check is None or not check.result.get("ok") or not check.result.get("changes"):
        if check is not None:
            messages.error(request, _("There is no uploaded ledger waiting; please upload the file again."))
        return redirect("ledger_import")
    _settle(check)
    return _follow_up(request, check, Job.Kind.LEDGER_IMPORT)


@require_POST
def job_answer(request, pk):
    """The answers to a background check's questions (names, columns): the file is checked again with them."""
    from .ledger import record_answers

    check = _waiting_check(request, pk)
    if check is None:
        return redirect("ledger_import")
    _settle(check)
    if "cancel" in request.POST:
        default_storage.delete(check.params["name"])
        messages.info(request, _("The import was cancelled; nothing was imported."))
        return redirect("ledger_import")
    decisions = record_answers(request.POST, check.params.get("decisions"))
    return _follow_up(request, check, Job.Kind.LEDGER_PREVIEW, decisions=decisions)
