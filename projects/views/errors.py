"""The error pages (400, 403, 404, 500 and a refused CSRF check) in the user's language, inside the
site's layout with its navigation. Wired in newzone/urls.py (handler*) and settings.CSRF_FAILURE_VIEW.

An error page must not fail itself: if the full page cannot be rendered (the database is down, say),
the same template is rendered without the request's context, so without the menu.
"""

import logging

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.template import loader
from django.utils.translation import gettext as _

from .. import access
from ..models import RoleCode

logger = logging.getLogger(__name__)


def _page(request, status, title, message, **extra):
    context = {"status": status, "title": title, "message": message, **extra}
    try:
        body = loader.render_to_string("error.html", context, request=request)
    except Exception:  # the page that explains an error must not raise one
        logger.exception("The %s page could not be rendered with its navigation", status)
        body = loader.render_to_string("error.html", context)
    return HttpResponse(body, status=status)


@login_not_required
def bad_request(request, exception=None):
    return _page(
        request, 400, _("The request could not be read"),
        _("The address or the form sent is not valid. Go back, check what was typed and try again."),
    )  # fmt: skip


@login_not_required
def permission_denied(request, exception=None):
    """403: which role the action needs (when the refusal said) and which roles the user holds."""
    needed = getattr(exception, "roles", ())
    held = access.role_codes(request.user) if request.user.is_authenticated else set()
    return _page(
        request, 403, _("Your role does not allow this"),
        _("You can see this page's subject, but this page or action is for another role."),
        needed=[RoleCode(role).label for role in needed],
        held=[RoleCode(role).label for role in sorted(held)],
    )  # fmt: skip


@login_not_required
def page_not_found(request, exception=None):
    return _page(
        request, 404, _("Not found, or not in your area"),
        _(
            "There is nothing at this address, or it belongs to a project outside the parks and "
            "departments you work for. Ask a coordinator if you should see it."
        ),
    )  # fmt: skip


@login_not_required
def server_error(request):
    return _page(
        request, 500, _("Something went wrong on our side"),
        _(
            "The error has been logged. Nothing you typed was lost before the last save; try again in a "
            "minute."
        ),
    )  # fmt: skip


@login_not_required
def csrf_failure(request, reason=""):
    return _page(
        request, 403, _("The form has expired"),
        _(
            "The form was open too long or sent from another page, so it was not accepted. Go back, "
            "reload the page and send it again."
        ),
    )  # fmt: skip
