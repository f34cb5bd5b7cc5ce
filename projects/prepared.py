"""`SameSQL`: a query sent on every request, compiled by the ORM once per process (issue 18).

Every page reads the user's staff profile with their roles and most read the service rules: the
same SQL each time but for an id, which the ORM builds and compiles anew each time (about a
thousand calls a query, a twentieth of a page). A `SameSQL` keeps the text it compiled per
database and sends it with each call's ids, reading the rows into model instances as a raw query
does. Only SQL text is kept, never a row: every call reads the database afresh.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS


class SameSQL:
    def __init__(self, build):
        """`build(*ids)`: the queryset of those ids (integers), compiled with exactly the ids as its
        parameters, in order (checked when it is compiled)."""
        self.build = build
        self._model = None
        # database alias -> the compiled text; threads compiling at once write the same text
        self._sql = {}

    def rows(self, *ids, using=DEFAULT_DB_ALIAS):
        """The model instances `build(*ids)` gives, each non-model column an attribute as in raw()."""
        sql = self._sql.get(using)
        if sql is None:
            queryset = self.build(*ids)
            sql, params = queryset.query.get_compiler(using).as_sql()
            if tuple(params) != ids:
                raise ImproperlyConfigured(f"{sql} has the parameters {params}, not only the ids {ids}")
            self._model, self._sql[using] = queryset.model, sql
        return list(self._model._default_manager.db_manager(using).raw(sql, ids))
