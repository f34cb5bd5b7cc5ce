"""generate_data: a synthetic zone that respects every constraint, the same for the same seed."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Min, Q

from projects import synthetic
from projects.models import (
    Issue,
    IssueEvent,
    IssueEventKind,
    IssueStatus,
    Listing,
    ListingKind,
    MonthlyReport,
    Park,
    Project,
    Stage,
    Visit,
)

TODAY = datetime.date(2026, 5, 20)
SCALE = 0.05


class _Rollback(Exception):
    pass


def snapshot():
    """The generated zone by natural keys (no pks, no auto timestamps)."""
    return {
        "projects": list(
            Project.objects.order_by("code").values_list(
                "code",
                "name",
                "enterprise__name",
                "park__name",
                "total_investment",
                "planned_start",
                "actual_start",
                "actual_completion",
                "production_date",
                "stage",
                "leader__user__username",
                "grid_worker__user__username",
                "lead_department__name",
            )
        ),
        "listings": list(
            Listing.objects.order_by("project__code", "year").values_list(
                "project__code", "year", "level", "kind", "planned_investment"
            )
        ),
        "reports": list(
            MonthlyReport.objects.order_by("project__code", "year", "month").values_list(
                "project__code", "year", "month", "amount"
            )
        ),
        "visits": list(
            Visit.objects.order_by("project__code", "date", "summary", "people_met").values_list(
                "project__code", "date", "kind", "summary", "people_met"
            )
        ),
        "issues": list(
            Issue.objects.order_by("project__code", "raised_at", "description").values_list(
                "project__code", "raised_at", "category", "level", "status", "deadline", "assignee__name"
            )
        ),
        "events": list(IssueEvent.objects.values("kind").annotate(n=Count("pk")).order_by("kind")),
        "staff": list(get_user_model().objects.order_by("username").values_list("username", "staff__name")),
    }


def generated(seed):
    """Generate a zone in a savepoint, take its snapshot, and roll it back."""
    try:
        with transaction.atomic():
            synthetic.generate(scale=SCALE, seed=seed, today=TODAY)
            result = snapshot()
            raise _Rollback
    except _Rollback:
        return result


@pytest.mark.django_db
def test_same_seed_same_zone_other_seed_other_zone():
    first, again, other = generated(7), generated(7), generated(8)
    assert first == again
    assert first["projects"] != other["projects"]
    assert not Project.objects.exists()  # each run was rolled back


@pytest.mark.django_db
def test_scale_gives_the_promised_sizes_and_roles():
    out = StringIO()
    call_command("generate_data", scale=SCALE, seed=1, today=TODAY, stdout=out)
    assert "Generated scale 0.05" in out.getvalue()
    # Scale 1 is ~1,000 projects, ~2,000 listings, ~20,000 reports, 5,000 visits, 10,000 issues.
    assert Project.objects.count() == 50
    assert 70 <= Listing.objects.count() <= 130
    assert 600 <= MonthlyReport.objects.count() <= 1300
    assert 240 <= Visit.objects.count() <= 260
    assert 490 <= Issue.objects.count() <= 510
    assert Listing.objects.values("year").distinct().count() == 10
    assert Park.objects.count() == 8
    users = get_user_model().objects
    for username in ["coordinator", "leader", "grid", "dept", "supervisor", "admin", "superuser"]:
        assert users.get(username=username).check_password(synthetic.PASSWORD)
    assert users.get(username="coordinator").staff.has_role("coordinator")
    assert users.get(username="grid").staff.parks.count() == 1


@pytest.mark.django_db
def test_rows_are_consistent_with_the_rules():
    synthetic.generate(scale=SCALE, seed=3, today=TODAY)
    projects = Project.objects.all()
    # Stage never contradicts the dates; nothing happens after today.
    assert not projects.filter(actual_start__isnull=False, stage=Stage.PREPARATION).exists()
    assert not projects.filter(actual_start__isnull=True).exclude(stage=Stage.PREPARATION).exists()
    assert not projects.filter(actual_completion__lt=F("actual_start")).exists()
    assert not projects.filter(actual_start__gt=TODAY).exists()
    assert projects.filter(stage=Stage.CONSTRUCTION).exists()
    # A project's first listing is new-build, later ones continuing, in consecutive years.
    for project in projects.prefetch_related("listings"):
        listings = sorted(project.listings.all(), key=lambda listing: listing.year)
        assert [listing.kind for listing in listings] == [ListingKind.NEW] + [ListingKind.CONTINUING] * (
            len(listings) - 1
        )
        assert [listing.year for listing in listings] == list(range(listings[0].year, listings[-1].year + 1))
    # Reports only for a listed year, from the start month on, never for a month not yet over.
    for report in MonthlyReport.objects.select_related("project"):
        assert Listing.objects.filter(project=report.project, year=report.year).exists()
        assert (report.year, report.month) >= (
            report.project.actual_start.year,
            report.project.actual_start.month,
        )
        assert (report.year, report.month) < (TODAY.year, TODAY.month)
    # Issues: resolved ones carry a resolution, closed ones feedback; every timeline starts with "raised".
    issues = Issue.objects.all()
    done = [IssueStatus.RESOLVED, IssueStatus.CLOSED]
    assert not issues.filter(status__in=done, resolution="").exists()
    assert not issues.filter(Q(status=IssueStatus.CLOSED) & (Q(feedback="") | Q(satisfaction=""))).exists()
    assert not issues.filter(status__in=done, resolved_at__isnull=True).exists()
    first_events = IssueEvent.objects.values("issue").annotate(first=Min("at"))
    assert first_events.count() == issues.count()
    assert all(row["first"] == Issue.objects.get(pk=row["issue"]).raised_at for row in first_events[:50])
    assert IssueEvent.objects.filter(kind=IssueEventKind.RAISED).count() == issues.count()
    assert issues.filter(status__in=IssueStatus.unresolved()).exists()
    assert issues.overdue(on=TODAY).exists()
    assert issues.filter(level=4).exists()


@pytest.mark.django_db
def test_refuses_a_database_that_is_not_empty(zone):
    with pytest.raises(CommandError, match="not empty"):
        call_command("generate_data", scale=SCALE, stdout=StringIO())
    assert Project.objects.count() == 2  # the zone's projects, nothing added


@pytest.mark.django_db
def test_refuses_a_non_positive_scale():
    with pytest.raises(CommandError, match="positive"):
        call_command("generate_data", scale=0, stdout=StringIO())
