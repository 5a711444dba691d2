"""Reaching the real services the suite needs (PostgreSQL, Redis).

A test that needs a service calls ``require_service``: when the service is missing it fails
under CI=true (a green CI must never hide a missing service) and skips on a laptop.
"""

from __future__ import annotations

import os
import socket

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def require_service(ok: bool, what: str) -> None:
    if ok:
        return
    message = f"{what} is not available; run the README's test command (scripts/test)"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def on_sqlite() -> bool:
    """The quickstart-shaped run (no DATABASE_URL, no REDIS_URL) that scripts/test makes of the
    intake, figures, scan-storage and portfolio suites, so the SQLite branches are tested."""
    return os.environ.get("TLSMON_TEST_DATABASE") == "sqlite"
