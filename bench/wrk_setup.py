"""For `make loadtest LOADTEST_MODE=closed`: a logged-in session and the mixed pages wrk walks.

Prints the session cookie (`sessionid=…`) of the coordinator (a zone-wide role: every figure of the
dashboard) and writes the paths, one a line, to the file given: ten walks of home, two project list
pages (a page or a filter), two project pages, the issue list, an issue page, and then the dashboard or
dashboard.json in turn, over different projects and issues.
"""

import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newzone.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from projects.models import Issue, Project  # noqa: E402


def main(out):
    client = Client()
    client.force_login(
        get_user_model().objects.get(username="coordinator"),
        backend="django.contrib.auth.backends.ModelBackend",
    )
    today = timezone.localdate()
    year, month = today.year, today.month
    projects = list(Project.objects.order_by("?").values_list("pk", flat=True)[:20])
    issues = list(Issue.objects.order_by("?").values_list("pk", flat=True)[:10])
    paths = []
    for i in range(10):
        paths += [
            "/",
            f"/projects/?page={1 + i % 5}",
            f"/projects/?year={year}&level=district" if i % 2 else f"/projects/?year={year}&kind=new",
            f"/projects/{projects[2 * i % len(projects)]}/",
            f"/projects/{projects[(2 * i + 1) % len(projects)]}/",
            "/issues/" if i % 2 else "/issues/?unresolved=1",
            f"/issues/{issues[i % len(issues)]}/",
        ]
        # Every other walk a dashboard view (its charts' figures come with the page) or a reader of
        # /dashboard.json.
        if i % 2:
            paths.append(f"/dashboard/?year={year}&month={month}")
        else:
            paths.append(f"/dashboard.json?year={year}&month={month}")
    Path(out).write_text("\n".join(paths) + "\n")
    print(f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}")


if __name__ == "__main__":
    main(sys.argv[1])
