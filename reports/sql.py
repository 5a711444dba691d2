"""Small helpers for the hand-written SQL of the figures and trends (PostgreSQL and SQLite)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import connection

CHUNK = 400  # ids per IN list where PostgreSQL arrays are not available


def table_name(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def day_param(value: date):
    """Dates as parameters: PostgreSQL takes ``date``; SQLite compares ISO text."""
    return value if connection.vendor == "postgresql" else value.isoformat()


def as_date(value) -> date:
    """A day read back from either database (SQLite returns text from raw SQL)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def placeholders(values: Sequence) -> str:
    return "(" + ", ".join(["%s"] * len(values)) + ")"
