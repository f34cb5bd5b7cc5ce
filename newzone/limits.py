"""The cap on a request's whole body (files included), before Django reads any of it.

Django's own DATA_UPLOAD_MAX_MEMORY_SIZE covers the body without its files; this covers the rest, so
a client cannot stream gigabytes into the upload folder. The reverse proxy in front has its own cap
(README "Running it for real"), set a little above this one.
"""

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BYTES:
            message = _("The upload is too large (at most %(limit)s MB at once).") % {
                "limit": settings.REQUEST_MAX_BYTES // (1024 * 1024)
            }
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
