"""Scale: the pages' query counts do not grow with the zone, deep pages annotate only their rows,
and the list filters do not render the whole zone's projects as options."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from projects import synthetic
from projects.models import Issue, Project, Stage

TODAY = datetime.date.today()


class _Rollback(Exception):
    pass


def coordinator_client():
    client = Client()
    user = get_user_model().objects.get(username="coordinator")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def page_queries(scale):
    """Queries of each page on a generated zone of `scale` (rolled back afterwards)."""
    counts = {}
    try:
        with transaction.atomic():
            synthetic.generate(scale=scale, seed=5, today=TODAY)
            client = coordinator_client()
            # A started project: it has progress notes, so the detail page prefetches their photos.
            started = Project.objects.exclude(stage=Stage.PREPARATION)
            project = started.annotate(n=Count("issues")).order_by("-n", "pk").first()
            issue = Issue.objects.annotate(n=Count("events")).order_by("-n", "pk").first()
            pages = {
                "home": "/",
                "projects": "/projects/",
                "projects, page 2": "/projects/?page=2",
                "projects, filtered": f"/projects/?year={TODAY.year}&level=district",
                "project detail": f"/projects/{project.pk}/",
                "issues": "/issues/",
                "issue detail": f"/issues/{issue.pk}/",
                "dashboard": f"/dashboard/?year={TODAY.year}&month={TODAY.month}",
                "dashboard.json": f"/dashboard.json?year={TODAY.year}&month={TODAY.month}",
            }
            for name, url in pages.items():
                client.get(url)  # warm: the first request after login slides the session's expiry
                with CaptureQueriesContext(connection) as captured:
                    assert client.get(url).status_code == 200, url
                counts[name] = len(captured)
            raise _Rollback
    except _Rollback:
        return counts


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_the_zone():
    small, larger = page_queries(0.04), page_queries(0.12)
    assert small == larger


@pytest.mark.django_db
def test_a_deep_page_lists_the_right_projects_with_their_lights():
    synthetic.generate(scale=0.12, seed=2, today=TODAY)  # 120 projects: pages of 50, 50, 20
    client = coordinator_client()
    codes = list(Project.objects.order_by("code").values_list("code", flat=True))
    client.get("/projects/?page=1")  # warm the session
    with CaptureQueriesContext(connection) as first:
        client.get("/projects/?page=1")
    with CaptureQueriesContext(connection) as third:
        response = client.get("/projects/?page=3")
    rows = list(response.context["page"])
    assert [row.code for row in rows] == codes[100:]
    assert {row.light for row in rows} <= {"red", "yellow", "green"}
    assert response.context["page"].paginator.count == 120
    assert len(third) == len(first)
    lit = {p.code: p.light for p in Project.objects.with_light()}
    assert all(row.light == lit[row.code] for row in rows)


def test_issue_list_offers_only_the_chosen_project(zone, login):
    client = login(zone.coordinator)
    form = client.get("/issues/").context["filter"].form
    assert list(form.fields["project"].queryset) == []
    response = client.get("/issues/", {"project": zone.project_b.pk})
    form = response.context["filter"].form
    assert list(form.fields["project"].queryset) == [zone.project_b]
    assert f'<option value="{zone.project_b.pk}" selected>' in response.text
    # A project the user may not see is no choice at all (the filter ignores the invalid value).
    assert login(zone.grid).get("/issues/", {"project": zone.project_b.pk}).status_code == 200
    assert login(zone.grid).get("/issues/", {"project": "9" * 40}).status_code == 200
