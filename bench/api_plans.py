"""Query plans of an endpoint: issue the request in this process through Django's test client,
capture every SQL statement it runs (``connection.execute_wrapper``), then
``EXPLAIN (ANALYZE, BUFFERS)`` each captured SELECT with its parameters.

The token lookup (``accounts_apitoken``) is left out; so are writes (``last_used_at``, at most
once a minute) and ``executemany`` calls. The in-request time of each statement is printed
beside its plan; EXPLAIN ANALYZE adds its own instrumentation overhead.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Statement:
    sql: str
    params: Any
    many: bool
    milliseconds: float


@dataclass(frozen=True)
class Captured:
    path: str
    status: int
    milliseconds: float  # the whole request, in-process
    size: int
    statements: list[Statement]


def capture(path: str, token: str) -> Captured:
    """GET ``path`` with the bearer token through ``django.test.Client``, recording its SQL."""
    from django.db import connection
    from django.test import Client

    statements: list[Statement] = []

    def wrapper(execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            ms = (time.perf_counter() - began) * 1000
            statements.append(Statement(sql, params, many, ms))

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    began = time.perf_counter()
    with connection.execute_wrapper(wrapper):
        response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    ms = (time.perf_counter() - began) * 1000
    return Captured(path, response.status_code, ms, len(body), statements)


def _explainable(statement: Statement) -> bool:
    sql = statement.sql.lstrip().upper()
    return (
        not statement.many
        and (sql.startswith("SELECT") or sql.startswith("WITH"))
        and "ACCOUNTS_APITOKEN" not in sql
    )


def explain(statement: Statement) -> list[str]:
    """The plan lines of ``EXPLAIN (ANALYZE, BUFFERS)`` for one captured statement."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement.sql, statement.params)
        return [line for (line,) in cursor.fetchall()]


def _statement_text(statement: Statement, limit: int = 1500) -> str:
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            text = cursor.mogrify(statement.sql, statement.params)
        text = text.decode() if isinstance(text, bytes) else text
    except Exception:  # mogrify is best effort: fall back to the SQL with placeholders
        text = f"{statement.sql}  -- params {statement.params!r}"
    return text if len(text) <= limit else text[:limit] + f" ... ({len(text):,} chars)"


def print_plans(title: str, path: str, token: str) -> None:
    """Capture ``path``'s SQL and print each explainable statement with its plan (after one
    unrecorded request: the first one in a process also pays for imports and URL resolving)."""
    capture(path, token)
    captured = capture(path, token)
    print(f"\n=== query plans: {title}: GET {path}")
    print(
        f"in-process request: status {captured.status}, {captured.milliseconds:.1f} ms, "
        f"{captured.size:,} bytes, {len(captured.statements)} SQL statements "
        f"({sum(s.milliseconds for s in captured.statements):.1f} ms in the database driver)"
    )
    for number, statement in enumerate(captured.statements, 1):
        if not _explainable(statement):
            first = statement.sql.split(" FROM ")[0][:80]
            print(f"\n-- [{number}] {statement.milliseconds:.1f} ms, not explained: {first} ...")
            continue
        print(f"\n-- [{number}] {statement.milliseconds:.1f} ms in the request")
        print(_statement_text(statement))
        for line in explain(statement):
            print("  " + line)
