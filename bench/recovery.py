"""Fault-injection benchmark: how long TLSMon takes to recover from a dead worker, a report
left unprocessed, and a beat run missed while Redis was down.

    python -m bench.recovery [--domains 600] [--only kill,sweep,beat]

Runs a real Celery worker and a real beat (``celery -A tlsmon ...`` from the current
directory, so the same script measures an older checkout too) against a private
redis-server on a free loopback port, the database ``tlsmon_c_recovery_bench`` (dropped and
re-created; ``BENCH_DATABASE_URL`` overrides it) and knotd on loopback. Never touches the
shared Redis or another database.

- kill: every domain is due; once a third is scanned and the next chunk has started (its
  running lease is seen in the database) the worker is SIGKILLed (its whole process group)
  and a new one started at once, as a supervisor would. Measured: seconds from the kill until
  every domain of the round has a finished scan.
- sweep: a report is stored but never queued (as when Redis was down at intake). Measured:
  seconds from receipt until it is processed.
- beat: Redis is stopped 10 s before a ``scan_due`` run and started (empty) 15 s after it; a
  domain added just before is due at that run. Measured: seconds from Redis coming back until
  the domain is scanned, against the job's period.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bench.ingest_db import database_recreate, django_setup
from bench.scan import build_zones, domain_name, start_knot

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tlsmon_c_recovery_bench"


class Celery:
    """The worker and beat processes, each in its own process group (killed as a whole)."""

    def __init__(self, env: dict[str, str], workdir: Path):
        self.env, self.workdir = env, workdir
        self.worker: subprocess.Popen | None = None
        self.beat: subprocess.Popen | None = None
        self.workers_started = 0

    def _spawn(self, *args: str, log: str) -> subprocess.Popen:
        with (self.workdir / log).open("ab") as out:
            return subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "tlsmon", *args],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def start_worker(self) -> None:
        self.workers_started += 1
        log = f"worker{self.workers_started}.log"
        self.worker = self._spawn("worker", "--concurrency=1", "--loglevel=INFO", log=log)

    def start_beat(self) -> None:
        schedule = str(self.workdir / "beat-schedule")
        self.beat = self._spawn("beat", f"--schedule={schedule}", "--loglevel=INFO", log="beat.log")

    def kill_worker(self) -> None:
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait()

    def stop(self) -> None:
        for process in (self.worker, self.beat):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)


def wait_for(condition: Callable[[], bool], timeout: float, step: float = 1.0) -> float | None:
    """Seconds until ``condition()`` held, or None after ``timeout``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(step)
    return None


def scanned(domain_ids: list[int]) -> int:
    from scans.models import Scan, ScanStatus

    done = Scan.objects.filter(domain_id__in=domain_ids, status=ScanStatus.DONE)
    return done.values("domain_id").distinct().count()


def chunk_running(ids: list[int]) -> bool:
    """A started chunk holds never-scanned domains for the running lease (a minute), far
    below the scheduler's hour-long claim; older code has no such lease (then: False)."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Domain

    soon = timezone.now() + timedelta(minutes=5)
    claimed = Domain.objects.filter(pk__in=ids, scanned_at__isnull=True)
    return claimed.filter(next_scan_at__lt=soon).exists()


def kill_scenario(celery: Celery, ids: list[int], timeout: float) -> dict:
    began = time.monotonic()
    wait_for(lambda: scanned(ids) >= len(ids) // 3, timeout, step=0.2)
    mid_chunk = wait_for(lambda: chunk_running(ids), 5, step=0.05) is not None
    before_kill, killed_at = scanned(ids), time.monotonic() - began
    celery.kill_worker()
    celery.start_worker()
    recovered = wait_for(lambda: scanned(ids) == len(ids), timeout)
    return {
        "domains": len(ids),
        "scanned_at_kill": before_kill,
        "killed_at_s": round(killed_at, 1),
        "killed_inside_a_started_chunk": mid_chunk,
        "all_scanned_after_kill_s": None if recovered is None else round(recovered, 1),
    }


def sweep_scenario(organization, policy_domain: str, timeout: float) -> dict:
    from reports.models import Channel, Submission, SubmissionStatus
    from reports.services import submission_receive

    report = {
        "organization-name": "Bench sender",
        "date-range": {
            "start-datetime": "2026-01-05T00:00:00Z",
            "end-datetime": "2026-01-05T23:59:59Z",
        },
        "contact-info": "tlsrpt@sender.example",
        "report-id": f"recovery-{time.time()}",
        "policies": [
            {
                "policy": {"policy-type": "sts", "policy-domain": policy_domain},
                "summary": {"total-successful-session-count": 9, "total-failure-session-count": 0},
            }
        ],
    }
    submission, _ = submission_receive(
        organization=organization,
        payload=json.dumps(report).encode(),
        channel=Channel.HTTPS,
        source="bench",
    )
    status = Submission.objects.filter(pk=submission.pk).values_list("status", flat=True)
    waited = wait_for(lambda: status.get() != SubmissionStatus.PENDING, timeout)
    return {"processed_after_s": None if waited is None else round(waited, 1)}


def beat_scenario(redis, organization, name: str, timeout: float) -> dict:
    from accounts.models import Domain
    from tlsmon.celery import app

    job = app.conf.beat_schedule["scan_due"]["schedule"]
    time.sleep(max(0.0, job.remaining_estimate(datetime.now(UTC)).total_seconds() - 10))
    domain = Domain.objects.create(organization=organization, name=name, unicode_name=name)
    redis.stop()  # the run due in 10 s cannot be sent
    time.sleep(25)
    redis.start()
    waited = wait_for(lambda: scanned([domain.pk]) == 1, timeout)
    return {
        "schedule": str(job),
        "scanned_after_redis_back_s": None if waited is None else round(waited, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--domains", type=int, default=600)
    parser.add_argument("--only", default="kill,sweep,beat")
    parser.add_argument("--timeout", type=float, default=30 * 60, help="per scenario, seconds")
    args = parser.parse_args(argv)
    scenarios = set(args.only.split(","))
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    database_recreate(url)
    workdir = Path(tempfile.mkdtemp(prefix="tlsmon-bench-recovery-"))
    zones, _ = build_zones(args.domains + 1, mta_sts=False)
    knot = start_knot(workdir, zones)
    from tests.services import RedisServer

    redis = RedisServer().start()
    nameservers = ",".join(f"{h}:{p}" for h, p in knot.nameservers)
    os.environ["TLSMON_DNS_NAMESERVERS"] = nameservers
    django_setup(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": redis.url,
        "TLSMON_SCAN_CHUNK_SIZE": "100",
        "TLSMON_SCAN_CONCURRENCY": "1",  # chunks of about a second, so a kill lands inside one
    }
    celery = Celery(env, workdir)
    results: dict[str, dict] = {}
    try:
        from accounts.models import Domain
        from accounts.services import organization_create

        organization = organization_create(name="Bench recovery", slug="bench-recovery")
        names = [domain_name(i) for i in range(args.domains)]
        Domain.objects.bulk_create(
            [Domain(organization=organization, name=n, unicode_name=n) for n in names]
        )
        ids = list(Domain.objects.filter(name__in=names).values_list("pk", flat=True))
        celery.start_worker()
        celery.start_beat()
        if "kill" in scenarios:
            results["kill"] = kill_scenario(celery, ids, args.timeout)
            print("kill ", results["kill"], flush=True)
        if "sweep" in scenarios:
            results["sweep"] = sweep_scenario(organization, names[0], args.timeout)
            print("sweep", results["sweep"], flush=True)
        if "beat" in scenarios:
            results["beat"] = beat_scenario(
                redis, organization, domain_name(args.domains), args.timeout
            )
            print("beat ", results["beat"], flush=True)
    finally:
        celery.stop()
        redis.stop()
        knot.stop()
    print(json.dumps(results))
    print(f"logs: {workdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
