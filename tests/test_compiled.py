"""CompiledOnce (projects/compiled.py): the light's subqueries compiled once, then reused.

Every query shape the pages use must give the same SQL, and so the same rows, as Django's own
resolving and compiling of the same expressions, on the first query and on every later one.
"""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Count, F, Q, Subquery

from projects import compiled, lights, querysets
from projects.models import (
    Issue,
    IssueStatus,
    Level,
    Listing,
    ListingKind,
    ListingLevel,
    PlanNode,
    Project,
    Stage,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2024, 6, 20)


def lit(**extra):
    return Project.objects.with_light(year=2024, month=6, today=TODAY, by_light=True, **extra)


# Each query shape that reads the light: rows with reasons, filtered, ordered and grouped by it,
# counted with a filter, and the light in a subquery of another query (the list's light filter).
SHAPES = {
    "rows": lambda: lit().order_by("pk"),
    "rows without reasons": lambda: lit(reasons=False).order_by("pk"),
    "filtered and ordered": lambda: lit().filter(light__in=["red", "yellow"]).order_by("light", "pk"),
    "grouped": lambda: lit(reasons=False).values(shown=F("light")).annotate(n=Count("pk")).order_by("shown"),
    "counted by park": lambda: (
        lit(reasons=False)
        .values("park")
        .annotate(red=Count("pk", filter=Q(light="red")), yellow=Count("pk", filter=Q(light="yellow")))
        .order_by("park")
    ),
    "in a subquery": lambda: Project.objects.filter(pk__in=lit().filter(light="red").values("pk")).order_by(
        "pk"
    ),
    "issues of red projects": lambda: Issue.objects.filter(
        project__in=Subquery(lit().filter(light="red").values("pk"))
    ).order_by("pk"),
}


def sql(queryset):
    query, params = queryset.query.sql_with_params()
    return query, tuple(params)


def rows(queryset):
    return [
        (row.pk, row.light, row.light_reasons)
        if isinstance(row, Project)
        else row
        if isinstance(row, dict)
        else row.pk
        for row in queryset
    ]


@pytest.fixture
def red_and_green(zone):
    late = Project.objects.create(
        code="C-1", name="迟", enterprise=zone.enterprise, park=zone.park_a,
        total_investment=Decimal(5000), stage=Stage.PREPARATION, planned_start=datetime.date(2024, 3, 1),
    )  # fmt: skip
    Listing.objects.create(
        project=late,
        year=2024,
        level=ListingLevel.CITY,
        kind=ListingKind.NEW,
        planned_investment=Decimal(100),
    )
    Issue.objects.create(
        project=late, category="land", description="用地", level=Level.LEADER, status=IssueStatus.OPEN,
        deadline=datetime.date(2024, 6, 1), raised_at=datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC),
    )  # fmt: skip
    calm = Project.objects.create(
        code="C-2", name="稳", enterprise=zone.enterprise, park=zone.park_b, total_investment=Decimal(5000),
        stage=Stage.PREPARATION,
    )  # fmt: skip
    Listing.objects.create(
        project=calm,
        year=2024,
        level=ListingLevel.CITY,
        kind=ListingKind.CONTINUING,
        planned_investment=Decimal(0),
    )
    return late, calm


def first_later_and_djangos(make, read, monkeypatch, module, built):
    """(SQL, rows) of `make()` on the first and on a later query, and as Django resolves and
    compiles it without CompiledOnce (`module`'s, whose expressions `built` keeps)."""
    compiled._shapes.clear()
    first, later = (sql(make()), read(make())), (sql(make()), read(make()))
    with monkeypatch.context() as patched:
        patched.setattr(module, "CompiledOnce", lambda expression, key: expression)
        built.cache_clear()
        django = (sql(make()), read(make()))
    built.cache_clear()
    assert django[1]  # each shape finds something in this zone
    return first, later, django


@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_gives_djangos_sql_and_rows_first_and_later(red_and_green, monkeypatch, shape):
    first, later, django = first_later_and_djangos(
        SHAPES[shape], rows, monkeypatch, lights, lights._expressions
    )
    assert first == later == django


def test_the_lights_are_right(red_and_green):
    late, calm = red_and_green
    by_pk = {project.pk: project for project in lit()}
    assert by_pk[late.pk].light == "red"
    assert by_pk[calm.pk].light == "yellow"  # never visited
    assert list(lit().filter(light="red").values_list("pk", flat=True)) == [late.pk]


def test_a_later_query_compiles_none_of_the_lights_subqueries(red_and_green, monkeypatch):
    compiled._shapes.clear()
    list(SHAPES["filtered and ordered"]())
    calls = []
    original = Subquery.as_sql

    def counting(self, *args, **kwargs):
        calls.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Subquery, "as_sql", counting)
    assert len(rows(SHAPES["filtered and ordered"]())) == 4  # with the zone fixture's two
    assert calls == []
    # Inside another query its SQL is relabelled, so it is compiled the ordinary way.
    list(SHAPES["in a subquery"]())
    assert calls


def test_new_inputs_are_new_sql(red_and_green):
    """The day, the period and the thresholds are all in the key: a new day is never an old SQL."""
    on_day = sql(lit())
    next_day = Project.objects.with_light(
        year=2024, month=6, today=TODAY + datetime.timedelta(days=1), by_light=True
    )
    assert sql(next_day)[1] != on_day[1]


def test_the_kept_shapes_are_bounded(red_and_green, monkeypatch):
    monkeypatch.setattr(compiled, "MAX_SHAPES", 3)
    compiled._shapes.clear()
    for days in range(5):
        sql(Project.objects.with_light(year=2024, month=6, today=TODAY + datetime.timedelta(days=days)))
    assert len(compiled._shapes) == 3


# The plan nodes' dates (querysets._node_dates): their CASE joins the node's project, a join that
# resolving adds to the query and a later query gets replayed.
NODE_SHAPES = {
    "with dates": lambda: PlanNode.objects.with_dates().order_by("pk"),
    "late": lambda: PlanNode.objects.late(on=TODAY).order_by("planned_on", "pk"),
    "open, of a park": lambda: (
        PlanNode.objects.filter(project__park__name="航空航天产业园").open().order_by("pk")
    ),
    "late, of projects": lambda: (
        PlanNode.objects.filter(project__in=Project.objects.filter(stage=Stage.PREPARATION).values("pk"))
        .late(on=TODAY)
        .order_by("pk")
    ),
    "projects with a late node": lambda: Project.objects.filter(
        pk__in=PlanNode.objects.late(on=TODAY).values("project")
    ).order_by("pk"),
}


def node_rows(queryset):
    return [row.pk if isinstance(row, Project) else (row.pk, row.planned_on, row.done_on) for row in queryset]


@pytest.fixture
def nodes(red_and_green):
    late, calm = red_and_green
    PlanNode.objects.create(project=late, name="开工", is_key=True, planned_date=datetime.date(2024, 5, 1))
    PlanNode.objects.create(project=calm, name="竣工", planned_date=datetime.date(2025, 5, 1))
    return late, calm


@pytest.mark.parametrize("shape", NODE_SHAPES)
def test_every_node_shape_gives_djangos_sql_and_rows(nodes, monkeypatch, shape):
    first, later, django = first_later_and_djangos(
        NODE_SHAPES[shape], node_rows, monkeypatch, querysets, querysets._node_dates
    )
    assert first == later
    # Django re-resolves an annotation a filter names, and brackets a resolved single condition:
    # "CASE WHEN (stage = %s)" in the WHERE where the kept SQL has "CASE WHEN stage = %s". The same
    # SQL but for those brackets, and the same rows.
    assert unbracketed(first[0]) == unbracketed(django[0])
    assert first[1] == django[1]


def unbracketed(compiled_sql):
    query, params = compiled_sql
    return query.replace("(", "").replace(")", ""), params


@pytest.mark.parametrize("index", [0, 1, 2])
def test_a_later_resolve_leaves_the_query_as_djangos_does(nodes, index):
    """The joins, aliases' reference counts and reusable joins resolving adds to the outer query:
    recorded on the first resolve, replayed on a later one, as Django's own resolve leaves them."""
    once = querysets._node_dates()[index]

    def resolve(expression):
        query, reuse = PlanNode.objects.filter(is_key=True).query, set()
        expression.resolve_expression(query, allow_joins=True, reuse=reuse)
        tables = {table: list(names) for table, names in query.table_map.items()}
        return dict(query.alias_map), dict(query.alias_refcount), tables, query.subq_aliases, reuse

    compiled._shapes.clear()
    first, later, django = resolve(once), resolve(once), resolve(once.expression)
    assert first == later == django
    assert len(django[0]) > 1  # resolving joined the node's project (or permit type): replayed
