"""The site's URLs plus one view that fails, to see the 500 page (tests/test_error_pages.py)."""

from django.urls import path

from newzone.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def fail(request):
    raise RuntimeError("a bug")


urlpatterns = [path("test-fails/", fail), *urlpatterns]
