"""Audit pages: an object's change history, the login audit, and access-checked uploads."""

import datetime
import mimetypes
import posixpath

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import NoReverseMatch
from django.utils import timezone

from .. import access, audit
from ..models import Document, Issue, Meeting, Photo, Project, RoleCode, Visit
from ..services.documents import document_visible
from ..services.meetings import meetings_visible_to

LOGIN_AUDIT_ROWS = 100
# Served inline (a photo in the page); anything else is a download that cannot run as a page.
INLINE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}


def _visible(user, model, pk):
    """Whether the user may read this object's history: the object is within their visibility.

    Objects deleted since (in the admin) keep their history; it is shown to whoever sees the
    project the last snapshot belonged to (zone-wide roles for meetings and issues).
    """
    if model is Project:
        return Project.objects.visible_to(user).filter(pk=pk).exists()
    if model is Issue:
        if Issue.objects.visible_to(user).filter(pk=pk).exists():
            return True
        return access.sees_everything(user) and audit.last_snapshot(model, pk) is not None
    if model is Visit and Visit.objects.visible_to(user).filter(pk=pk).exists():
        return True
    if model is Meeting:
        return _meeting_visible(user, pk)
    snapshot = audit.last_snapshot(model, pk)
    if snapshot is None:
        return False
    return Project.objects.visible_to(user).filter(pk=snapshot.project_id).exists()


def _meeting_visible(user, pk):
    if meetings_visible_to(user).filter(pk=pk).exists():
        return True
    # A meeting deleted in the admin: its history stays readable to the zone-wide roles.
    return access.sees_everything(user) and audit.last_snapshot(Meeting, pk) is not None


def object_history(request, model, pk):
    """/history/<model>/<pk>/: the readable change history of one object (404 if not visible)."""
    model_class = audit.AUDITED.get(model)
    if model_class is None or not _visible(request.user, model_class, pk):
        raise Http404
    entries = audit.object_timeline(model_class, pk)
    live = model_class._default_manager.filter(pk=pk).first()
    try:
        object_url = live.get_absolute_url() if hasattr(live, "get_absolute_url") else ""
    except NoReverseMatch:  # an area whose pages are not there (yet)
        object_url = ""
    return render(
        request,
        "projects/history.html",
        {
            "entries": entries,
            "object": live,
            "object_url": object_url,
            "verbose_name": model_class._meta.verbose_name,
            "label": entries[-1].label if entries else f"#{pk}",
        },
    )


def login_audit(request):
    """/audit/logins/: recent successful logins, failed logins and current lockouts (administrators)."""
    access.require_role(request.user, RoleCode.ADMINISTRATOR)
    # PostgreSQL refuses NUL in text (found by tests/test_fuzz.py); no username holds one anyway.
    username = request.GET.get("username", "").replace("\x00", "").strip()[:150]
    successes = AccessLog.objects.order_by("-attempt_time")
    failures = AccessFailureLog.objects.order_by("-attempt_time")
    # Locked now: enough failures within the cool-off period (older lockouts have expired by themselves;
    # they stay listed among the failed logins, marked "locked out").
    cooloff = datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)
    attempts = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=timezone.now() - cooloff
    )
    if username:
        successes = successes.filter(username=username)
        failures = failures.filter(username=username)
        attempts = attempts.filter(username=username)
    return render(
        request,
        "projects/login_audit.html",
        {
            "username": username,
            "successes": successes[:LOGIN_AUDIT_ROWS],
            "failures": failures[:LOGIN_AUDIT_ROWS],
            "lockouts": attempts.order_by("-attempt_time")[:LOGIN_AUDIT_ROWS],
            "rows": LOGIN_AUDIT_ROWS,
        },
    )


def _photo_visible(user, photo):
    if photo.visit_id and Visit.objects.visible_to(user).filter(pk=photo.visit_id).exists():
        return True
    if photo.progress_note_id:
        return Project.objects.visible_to(user).filter(progress_notes=photo.progress_note_id).exists()
    return False


def media(request, path):
    """/media/<path>: an upload, only for who may see what it belongs to; never run as a page.

    Reads through default_storage, so the same view serves files on disk or on S3.
    """
    path = posixpath.normpath(path).lstrip("/")
    if path.startswith("..") or "\x00" in path:
        raise Http404
    document = Document.objects.filter(file=path).first()
    if document is not None:
        if not document_visible(request.user, document):
            raise Http404
        return _download(path, document.name)
    photo = Photo.objects.filter(image=path).first()
    if photo is None:
        # Uploads not attached to a photo (e.g. an imported ledger) are for administrators only.
        if not access.has_role(request.user, RoleCode.ADMINISTRATOR):
            raise Http404
    elif not _photo_visible(request.user, photo):
        raise Http404
    content_type, _encoding = mimetypes.guess_type(path)
    inline = content_type in INLINE_TYPES
    return _download(path, posixpath.basename(path), inline_type=content_type if inline else None)


def _download(path, filename, inline_type=None):
    """The stored file as a download (or a photo inline), sandboxed and never sniffed."""
    try:
        handle = default_storage.open(path, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=inline_type is None,
        filename=filename,
        content_type=inline_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser rendered it, a sandboxed document runs no script and reaches no origin.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
