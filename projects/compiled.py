"""`CompiledOnce`: an expression resolved and compiled once per process, then reused (issue 18).

Django resolves and compiles an expression again for every query, though for the same inputs and
the same outer query it gives the same SQL. For the warning light's correlated subqueries that work
was about a quarter of a project list or page, and half of the dashboard (which names the light in
four places of one query). A `CompiledOnce` keeps the resolved expression and its SQL per `key` (the
caller's, which must hold every input the expression is built from) and per shape of the outer
query (its table aliases, their joins and its alias prefix); a query of another shape resolves it
the ordinary way. Only SQL text is kept, never a result: every query reads the rows afresh.

The side effects resolving has on the outer query (the joins it adds, alias reference counts, the
subqueries' alias prefixes) are recorded on the first resolve and replayed on every later one; an
expression whose resolving changes a join the outer query had (promotes it) is never reused.
"""

import threading
from collections import OrderedDict

from django.db.models import Expression

MAX_SHAPES = 512
_shapes = OrderedDict()  # (key, outer query's shape) -> _Shape, least recently used first
_lock = threading.Lock()  # a threaded server's requests share _shapes


class _Shape:
    """What resolving did for one shape of outer query: the resolved expression, its SQL per
    database, and its side effects on the outer query, replayed on every later resolve."""

    def __init__(self, resolved, query, before, reuse, reused_before):
        aliases, tables, refcounts, subq_aliases = before
        self.resolved = resolved
        self.joins = {alias: join for alias, join in query.alias_map.items() if alias not in aliases}
        self.tables = {
            table: names[len(tables.get(table, ())) :]
            for table, names in query.table_map.items()
            if len(names) > len(tables.get(table, ()))
        }
        self.refcounts = {alias: n - refcounts.get(alias, 0) for alias, n in query.alias_refcount.items()}
        self.subq_aliases = query.subq_aliases - subq_aliases
        self.reused = (reuse or set()) - reused_before
        self.sql = {}  # vendor -> (sql, params)

    def replay(self, query, reuse):
        query.alias_map.update(self.joins)
        for table, names in self.tables.items():
            query.table_map[table] = [*query.table_map.get(table, ()), *names]
        for alias, raised in self.refcounts.items():
            query.alias_refcount[alias] = query.alias_refcount.get(alias, 0) + raised
        query.subq_aliases = query.subq_aliases | self.subq_aliases
        if reuse is not None:
            reuse.update(self.reused)


def _state(query):
    return (
        dict(query.alias_map),
        {table: list(names) for table, names in query.table_map.items()},
        dict(query.alias_refcount),
        query.subq_aliases,
    )


def _joins(query):
    return tuple((alias, getattr(join, "join_type", None)) for alias, join in query.alias_map.items())


class CompiledOnce(Expression):
    def __init__(self, expression, key):
        super().__init__()
        self.expression = expression
        self.key = key
        self.resolved = None
        self.shape = None  # the shared _Shape while this is the expression resolved for it
        self.prefix = None  # the outer query's alias prefix it was resolved for

    def __repr__(self):
        return f"{self.__class__.__name__}({self.expression!r})"

    def get_source_expressions(self):
        return [self.resolved if self.resolved is not None else self.expression]

    def set_source_expressions(self, exprs):
        # Relabelled or replaced (in a subquery, say): its SQL is no longer the shape's.
        (self.resolved,) = exprs
        self.shape = None

    def _resolve_output_field(self):
        return self.get_source_expressions()[0].output_field

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        if self.resolved is not None:
            if self.shape is not None and query is not None and query.alias_prefix == self.prefix:
                return self  # resolved already for a query of these aliases (the compiler's ORDER BY)
            source = self.resolved
        else:
            source = self.expression
        if query is None or summarize or for_save or self.resolved is not None:
            clone = self.copy()
            clone.set_source_expressions(
                [source.resolve_expression(query, allow_joins, reuse, summarize, for_save)]
            )
            return clone
        key = (self.key, query.model, query.alias_prefix, _joins(query), allow_joins, frozenset(reuse or ()))
        with _lock:
            shape = _shapes.get(key)
            if shape is not None:
                _shapes.move_to_end(key)
        if shape is None:
            before, reused_before = _state(query), set(reuse or ())
            resolved = source.resolve_expression(query, allow_joins, reuse, summarize, for_save)
            clone = self.copy()
            clone.resolved = resolved
            if any(query.alias_map.get(alias) is not join for alias, join in before[0].items()):
                return clone  # resolving changed a join the query had (promoted it): not reusable
            shape = _Shape(resolved, query, before, reuse, reused_before)
            with _lock:
                _shapes[key] = shape
                if len(_shapes) > MAX_SHAPES:
                    _shapes.popitem(last=False)
        else:
            shape.replay(query, reuse)
            clone = self.copy()
        clone.resolved, clone.shape, clone.prefix = shape.resolved, shape, query.alias_prefix
        return clone

    def as_sql(self, compiler, connection):
        if self.shape is None:
            return compiler.compile(self.resolved)
        compiled = self.shape.sql.get(connection.vendor)
        if compiled is None:
            sql, params = compiler.compile(self.resolved)
            compiled = self.shape.sql[connection.vendor] = (sql, tuple(params))
        return compiled

    def get_group_by_cols(self):
        # The expression's own grouping (a correlated subquery groups by its outer columns); itself
        # where the expression would group by itself, so the GROUP BY reads the kept SQL too.
        return [self if col is self.resolved else col for col in self.resolved.get_group_by_cols()]

    def select_format(self, compiler, sql, params):
        return self.resolved.select_format(compiler, sql, params)

    def get_db_converters(self, connection):
        return self.resolved.get_db_converters(connection)
