"""Reaching the real services the suite needs (PostgreSQL, Redis), and a private Redis.

A test that needs a service calls ``require_service``: when the service is missing it fails
under CI=true (a green CI must never hide a missing service) and skips on a laptop.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

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


class RedisServer:
    """A private redis-server on a free loopback port, without persistence, that a test or a
    bench script may stop and start again (never the shared Redis other processes use)."""

    def __init__(self, port: int | None = None):
        from tests.scans.servers import free_port

        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10.0) -> RedisServer:
        binary = shutil.which("redis-server")
        require_service(binary is not None, "redis-server (Debian package redis-server)")
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        args += ["--appendonly", "no"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while not port_open("127.0.0.1", self.port, timeout=0.2):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                require_service(False, f"redis-server on port {self.port}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


def use_celery_broker(url: str) -> None:
    """Point the Celery app at another broker; its cached connection and producer pools
    would otherwise keep talking to the old one."""
    from tlsmon.celery import app

    app.conf.broker_url = url
    app._pool = None
    vars(app.amqp).pop("_producer_pool", None)


def on_sqlite() -> bool:
    """The quickstart-shaped run (no DATABASE_URL, no REDIS_URL) that scripts/test makes of the
    intake, figures, scan-storage and portfolio suites, so the SQLite branches are tested."""
    return os.environ.get("TLSMON_TEST_DATABASE") == "sqlite"
