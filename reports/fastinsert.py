"""Insert many rows fast: ``bulk_create`` without its per-row cost on PostgreSQL.

Why: bulk intake must store over 1,000 reports per second, and Django's ``bulk_create`` spends
most of that budget preparing values row by row. On PostgreSQL the ids are taken from the
table's sequence first (so the caller knows each row's id, exactly, for the rows that point at
it) and the rows go in through ``COPY ... FROM STDIN``, whose row formatting is psycopg's C code.
The hot paths pass plain tuples (``insert_rows``): building model instances only to take them
apart again cost more than the insert. Other databases use ``bulk_create``. Only plain columns
are supported: no defaults are computed here, so callers pass every column.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import psycopg
from django.db import connection
from django.db.models import JSONField, Model


def int_array(values) -> str:
    """A PostgreSQL array literal of integers (cast with ``::bigint[]``): psycopg's list dumper
    is pure Python per element; a join is not."""
    return "{" + ",".join(map(str, values)) + "}"


def _json_columns(fields) -> list[tuple[int, type | None]]:
    return [(i, f.encoder) for i, f in enumerate(fields) if isinstance(f, JSONField)]


def _json(value, encoder) -> str | None:
    if value is None:
        return None
    if not value and type(value) in (list, dict):  # most repairs, mx_hosts and metadata
        return "[]" if type(value) is list else "{}"
    return json.dumps(value, cls=encoder)


def _copy(model: type[Model], fields, rows: Sequence[Sequence]) -> list[int]:
    """COPY ``rows`` (values for ``fields``, without the id) in; returns their new ids."""
    table = model._meta.db_table
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in (model._meta.pk, *fields))
    as_json = _json_columns(fields)
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        with cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
            for pk, row in zip(ids, rows, strict=True):
                if as_json:  # jsonb columns take JSON text in text-format COPY
                    row = [*row]
                    for i, encoder in as_json:
                        row[i] = _json(row[i], encoder)
                copy.write_row((pk, *row))
    return ids


def insert_rows(model: type[Model], names: Sequence[str], rows: Sequence[Sequence]) -> list[int]:
    """Insert ``rows`` (values for the fields ``names``, by attname) and return their ids."""
    if not rows:
        return []
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    fields = [by_attname[name] for name in names]
    if connection.vendor == "postgresql":
        return _copy(model, fields, rows)
    objs = [model(**dict(zip(names, row, strict=True))) for row in rows]
    model.objects.bulk_create(objs)
    return [obj.pk for obj in objs]


def insert_all(objs: Sequence[Model]) -> None:
    """Insert ``objs`` (all of one model) and set their primary keys."""
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs)
        return
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="insert")  # FK ids from instances
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    rows = [[getattr(obj, f.attname) for f in fields] for obj in objs]
    for obj, pk in zip(objs, _copy(model, fields, rows), strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
