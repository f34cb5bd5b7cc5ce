"""A user's background jobs: the progress page, the download, and the confirmation of a checked ledger."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import jobs
from ..models import Job, ZoneAction
from ..rulebook import may_act_on_zone, require_zone_action


def _own_job(request, pk):
    """Only the user who started a job sees it (anyone else: 404)."""
    return get_object_or_404(Job, pk=pk, owner=request.user)


def job_detail(request, pk):
    job = _own_job(request, pk)
    return render(request, "projects/job_detail.html", {"job": job, "Kind": Job.Kind})


def job_download(request, pk):
    job = _own_job(request, pk)
    if job.status != Job.Status.DONE or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.result.get("filename"))


@require_POST
def job_confirm_import(request, pk):
    """Import a ledger its background check found without errors (the checked file is read again)."""
    require_zone_action(request.user, ZoneAction.IMPORT_LEDGER)
    preview = _own_job(request, pk)
    if preview.kind != Job.Kind.LEDGER_PREVIEW or preview.status != Job.Status.DONE:
        raise Http404
    if not preview.result.get("ok") or not preview.result.get("changes") or preview.params.get("confirmed"):
        messages.error(request, _("There is no uploaded ledger waiting; please upload the file again."))
        return redirect("ledger_import")
    preview.params["confirmed"] = True
    preview.save(update_fields=["params"])
    params = preview.params | {"language": get_language()}
    params["as_correction"] = bool(params.get("as_correction")) and may_act_on_zone(
        request.user, ZoneAction.IMPORT_LOCKED_MONTHS
    )
    job = jobs.start(Job.Kind.LEDGER_IMPORT, owner=request.user, **params)
    return redirect("job_detail", pk=job.pk)
