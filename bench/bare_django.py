"""The ceiling of `make loadtest LOADTEST_MODE=closed`: one bare Django view, no middleware, no database.

Served by the same gunicorn settings as the app in the same run, it measures what this machine and
gunicorn give Django itself; the app's throughput over it is the ratio the load test prints.
Run as `gunicorn bare_django:application --chdir bench`.
"""

import django
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bare-django-loadtest-only",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
)
django.setup()


def hello(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("", hello)]
application = WSGIHandler()
