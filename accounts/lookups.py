"""``<json list field>__includes=value``: the list holds this string (PostgreSQL and SQLite).

Django's ``contains`` on a JSONField is PostgreSQL-only and ``has_key`` reads object keys on
SQLite, so the coverage filters would not run on the quickstart's SQLite without this.
"""

from __future__ import annotations

import json

from django.db.models import Lookup


class ListIncludes(Lookup):
    lookup_name = "includes"
    prepare_rhs = False

    def as_postgresql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} @> %s::jsonb", [*params, json.dumps([str(self.rhs)])]

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return (
            f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value = %s)",
            [*params, str(self.rhs)],
        )
