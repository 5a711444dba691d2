"""The quickstart's in-process periodic jobs (``manage.py run_periodic``, ``demo.periodic``).

The loop is tested with a hand-moved clock; the command itself runs as the quickstart runs it,
in its own process against the test database, with DNS from the suite's Knot server.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from celery.schedules import crontab
from django.db import connection
from django.utils.timezone import now

from accounts.models import Domain
from demo.periodic import PeriodicRunner, next_run
from scans.models import Scan
from tests.checkout import ROOT
from tests.factories import OrganizationFactory
from tests.scans.zones import no_record_domain
from tlsmon.beat import effective_jobs

SCHEDULE = {
    "every_minute": {"task": "tasks.minutely", "schedule": crontab()},
    "nightly": {"task": "tasks.nightly", "schedule": crontab(minute="7", hour="0")},
}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_next_run_is_the_crontab_time_beat_would_use():
    after = datetime(2026, 12, 4, 16, 59, 30, tzinfo=UTC)
    assert next_run(crontab(minute="*/5"), after) == datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
    assert next_run(crontab(minute="7", hour="0"), after) == datetime(2026, 12, 5, 0, 7, tzinfo=UTC)


def test_every_job_runs_once_at_start_then_at_its_crontab_times():
    clock = Clock(datetime(2026, 12, 4, 12, 0, 30, tzinfo=UTC))
    calls: list[str] = []
    runner = PeriodicRunner(SCHEDULE, lambda task: calls.append(task) or "ok", clock=clock)

    assert runner.run_due() == ["every_minute", "nightly"]  # the start-up catch-up
    clock.now = datetime(2026, 12, 4, 12, 0, 59, tzinfo=UTC)
    assert runner.run_due() == []
    clock.now = datetime(2026, 12, 4, 12, 1, 0, tzinfo=UTC)
    assert runner.run_due() == ["every_minute"]
    clock.now = datetime(2026, 12, 5, 0, 7, 0, tzinfo=UTC)
    assert runner.run_due() == ["every_minute", "nightly"]
    assert calls == [
        *("tasks.minutely", "tasks.nightly"),
        "tasks.minutely",
        *("tasks.minutely", "tasks.nightly"),
    ]


def test_a_failing_job_is_logged_the_others_run_and_it_is_tried_again_at_its_next_time(caplog):
    clock = Clock(datetime(2026, 12, 4, 12, 0, 30, tzinfo=UTC))
    calls: list[str] = []

    def call(task: str) -> str:
        calls.append(task)
        if task == "tasks.minutely":
            raise ConnectionError("database went away")
        return "ok"

    runner = PeriodicRunner(SCHEDULE, call, clock=clock)
    with caplog.at_level(logging.ERROR, logger="demo.periodic"):
        assert runner.run_due() == ["every_minute", "nightly"]
    assert "periodic job every_minute (tasks.minutely) failed; tried again" in caplog.text
    assert "database went away" in caplog.text  # the traceback is logged
    clock.now = datetime(2026, 12, 4, 12, 1, 0, tzinfo=UTC)
    assert runner.run_due() == ["every_minute"]
    assert calls == ["tasks.minutely", "tasks.nightly", "tasks.minutely"]


def test_stop_ends_the_loop_without_waiting_for_the_next_job():
    runner = PeriodicRunner(SCHEDULE, lambda task: "ok", tick=60)
    thread = threading.Thread(target=runner.run_forever)
    thread.start()
    time.sleep(0.2)
    started = time.monotonic()
    runner.stop()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert time.monotonic() - started < 1


def _command_environment(nameserver: str, **extra: str) -> dict[str, str]:
    """This test database, tasks in-process (no REDIS_URL), DNS from ``nameserver``."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        env["TLSMON_SQLITE_PATH"] = str(db["NAME"])
    else:
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env["TLSMON_DNS_NAMESERVERS"] = nameserver
    env["TLSMON_DNS_TIMEOUT"] = "2"
    return {**env, **extra}


def _knot(dns_server) -> str:
    return f"{dns_server.host}:{dns_server.port}"


def _start(env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "manage.py", "run_periodic", "--tick", "0.5"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _wait_for(condition, *, seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    pytest.fail(f"{what} within {seconds} s; run_periodic said:\n{log.read_text()}")


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_a_domain_added_while_run_periodic_runs_is_scanned_without_anyone_pressing_anything(
    dns_server, zone_name, tmp_path
):
    """GIVEN run_periodic running (as scripts/start runs it) and its start-up round done
    WHEN a domain is added (due at once, as every new domain is)
    THEN the next scan_due round scans it: a minute at most, nobody presses Scan now."""
    dns_server.set_zone(zone_name, no_record_domain(zone_name))
    log = tmp_path / "run_periodic.log"
    process = _start(_command_environment(_knot(dns_server)), log)
    try:
        _wait_for(
            lambda: "periodic job scan_due" in log.read_text(),
            seconds=60,
            what="the start-up round did not run scan_due",
            log=log,
        )
        domain = Domain.objects.create(
            organization=OrganizationFactory(), name=zone_name, unicode_name=zone_name
        )
        _wait_for(
            lambda: Scan.objects.filter(domain=domain, status="done").exists(),
            seconds=75,  # the next minute boundary, plus the scan
            what="the new domain was not scanned",
            log=log,
        )
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0  # a clean shutdown, not a kill
    scan = Scan.objects.get(domain=domain)
    assert (scan.trigger, scan.verdict) == ("schedule", "fail")  # Knot: no TLS-RPT record
    assert "Periodic jobs stopped." in log.read_text()


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_run_periodic_runs_the_beat_schedule_with_its_overrides(dns_server, tmp_path):
    """The schedule is tlsmon/beat.py's: a job added there, or disabled by its variable,
    is added or left out here too, with nothing else to edit."""
    env = _command_environment(_knot(dns_server), TLSMON_BEAT_REPORT_RETENTION="disable")
    log = tmp_path / "run_periodic.log"
    process = _start(env, log)
    try:
        _wait_for(lambda: "Running" in log.read_text(), seconds=60, what="no start line", log=log)
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    expected = sorted(job.name for job, _ in effective_jobs(env))
    assert "report_retention" not in expected
    assert f"periodic job(s) in this process: {', '.join(expected)}\n" in log.read_text()
    assert len(expected) == len(effective_jobs({})) - 1


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_stopping_run_periodic_does_not_wait_for_a_scan_on_a_silent_nameserver(tmp_path):
    """GIVEN run_periodic in its start-up scan round, stuck on a nameserver that never answers
    (a 60 s DNS timeout) WHEN it gets SIGTERM (Ctrl-C in scripts/start) THEN it stops within
    seconds, cleanly, and says which job it interrupted; the domain is due again later."""
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # reads nothing, answers nothing
    silent.bind(("127.0.0.1", 0))
    try:
        domain = Domain.objects.create(
            organization=OrganizationFactory(), name="slow.example", unicode_name="slow.example"
        )
        host, port = silent.getsockname()
        env = _command_environment(f"{host}:{port}", TLSMON_DNS_TIMEOUT="60")
        log = tmp_path / "run_periodic.log"
        process = _start(env, log)
        try:
            _wait_for(
                # The scan round's lease holds it: the scan is under way.
                lambda: Domain.objects.all_tenants().filter(pk=domain.pk, next_scan_at__gt=now()),
                seconds=60,
                what="the start-up round did not start scanning the domain",
                log=log,
            )
            time.sleep(1)
            stopped = time.monotonic()
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0
            assert time.monotonic() - stopped < 10
        finally:
            if process.poll() is None:
                process.kill()
    finally:
        silent.close()
    said = log.read_text()
    assert "Interrupted periodic job scan_due: it runs again at start." in said
    assert "Periodic jobs stopped." in said
    assert not Scan.objects.filter(domain=domain, status="done").exists()
