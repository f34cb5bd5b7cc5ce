"""Documents attached to a project, one of its nodes or one of its permits (PRODUCT.md "Documents").

The type is read from the file's content with `filetype` (magic numbers, and the parts inside an
Office zip), never from its name: an HTML page renamed .pdf is refused. The stored name is ours (a
random hex name with the sniffed suffix, on the configured storage — local folder or S3), the user's
name is kept for the download; the media view serves documents only as downloads.
"""

import posixpath
import uuid

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .. import access
from ..models import Document, Permit, PlanNode, Project, ProjectAction, Staff
from ..rulebook import may_act_on_project

# Sniffed extension → the MIME type recorded (PDF, images, Word and Excel).
ACCEPTED = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "heic": "image/heic",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# filetype reads this much of the head; an Office file's parts are named there.
SNIFF_BYTES = 8192


def document_check(file) -> str:
    """The sniffed extension of an acceptable upload; ValidationError (size or type) otherwise."""
    name = getattr(file, "name", "") or ""
    size = getattr(file, "size", None)
    if size is not None and size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("%(name)s is too large (%(size)s); the limit is %(limit)s."),
            code="too_large",
            params={
                "name": name,
                "size": filesizeformat(size),
                "limit": filesizeformat(settings.UPLOAD_MAX_BYTES),
            },
        )
    if not size:
        raise ValidationError(_("%(name)s is empty."), code="empty", params={"name": name})
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.extension not in ACCEPTED:
        raise ValidationError(
            _("%(name)s is not a PDF, an image, a Word or an Excel file (checked by its content)."),
            code="bad_type",
            params={"name": name},
        )
    return kind.extension


def download_name(name: str, extension: str) -> str:
    """The user's file name without folders, ending in the sniffed suffix."""
    base = posixpath.basename(name.replace("\\", "/")).strip() or "document"
    stem, _dot, _suffix = base.rpartition(".")
    return f"{(stem or base)[:150]}.{extension}"


def may_attach(user, project: Project) -> bool:
    """The rulebook's ATTACH_DOCUMENT; the caller has checked visibility (else 404)."""
    return may_act_on_project(user, ProjectAction.ATTACH_DOCUMENT, project)


@transaction.atomic
def document_attach(
    *,
    project: Project,
    by,
    file,
    description: str = "",
    node: PlanNode | None = None,
    permit: Permit | None = None,
) -> Document:
    """Store one checked file for the project (and a node or permit of it); the history row names `by`.

    The file is written to storage at once: if the row cannot be saved it is removed again.
    """
    if by is not None and not isinstance(by, Staff) and not may_attach(by, project):
        raise PermissionDenied(_("You may not attach documents to this project."))
    for part in (node, permit):
        if part is not None and part.project_id != project.pk:
            raise ValidationError(_("This belongs to another project."))
    extension = document_check(file)
    user = by.user if isinstance(by, Staff) else by
    document = Document(
        project=project,
        node=node,
        permit=permit,
        name=download_name(getattr(file, "name", ""), extension),
        content_type=ACCEPTED[extension],
        size=file.size,
        description=description.strip(),
        uploaded_by=user if user is not None and user.is_authenticated else None,
    )
    document.file.save(f"{uuid.uuid4().hex}.{extension}", file, save=False)
    try:
        document.full_clean()
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    return document


def document_visible(user, document: Document) -> bool:
    return (
        access.sees_everything(user)
        or Project.objects.visible_to(user).filter(pk=document.project_id).exists()
    )
