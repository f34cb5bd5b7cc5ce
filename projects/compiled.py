"""`CompiledOnce`: an expression resolved and compiled once per process, then reused (issue 18).

Django resolves and compiles an expression again for every query, though for the same inputs and
the same outer query it gives the same SQL. For the warning light's correlated subqueries that work
was about a quarter of a project list or page, and half of the dashboard (which names the light in
four places of one query). A `CompiledOnce` keeps the resolved expression and its SQL per `key` (the
caller's, which must hold every input the expression is built from) and per shape of the outer
query (its table aliases, their joins and its alias prefix); a query of another shape resolves it
the ordinary way. Only SQL text is kept, never a result: every query reads the rows afresh.

The side effects resolving has on the outer query (alias reference counts, the subqueries' alias
prefixes) are recorded on the first resolve and replayed on every later one; an expression whose
resolving adds or changes a join of the outer query is never reused.
"""

from collections import OrderedDict

from django.db.models import Expression

MAX_SHAPES = 512
_shapes = OrderedDict()  # (key, outer query's shape) -> _Shape, least recently used first


class _Shape:
    def __init__(self, resolved, refcounts, subq_aliases):
        self.resolved = resolved
        self.refcounts = refcounts  # {alias: how much resolving raised its reference count}
        self.subq_aliases = subq_aliases  # the alias prefixes resolving reserved in the outer query
        self.sql = {}  # vendor -> (sql, params)


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
        query.get_initial_alias()
        key = (self.key, query.model, query.alias_prefix, _joins(query), allow_joins, frozenset(reuse or ()))
        shape = _shapes.get(key)
        if shape is None:
            refcounts, subq_aliases = dict(query.alias_refcount), query.subq_aliases
            resolved = source.resolve_expression(query, allow_joins, reuse, summarize, for_save)
            clone = self.copy()
            clone.resolved = resolved
            if _joins(query) != key[3]:
                return clone  # resolving joined the outer query: not reusable
            shape = _Shape(
                resolved,
                {alias: count - refcounts.get(alias, 0) for alias, count in query.alias_refcount.items()},
                query.subq_aliases - subq_aliases,
            )
            _shapes[key] = shape
            if len(_shapes) > MAX_SHAPES:
                _shapes.popitem(last=False)
        else:
            _shapes.move_to_end(key)
            for alias, raised in shape.refcounts.items():
                query.alias_refcount[alias] += raised
            query.subq_aliases = query.subq_aliases | shape.subq_aliases
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
