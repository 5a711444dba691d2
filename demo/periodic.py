"""The beat schedule run in one process, for the quickstart: no Redis, no ``celery beat``.

``scripts/start`` runs ``manage.py run_periodic`` beside the web server, so a domain added in
the UI is scanned, report windows move on and (later) digests go out, as in production. The
schedule is not written here: the command hands over the Celery app's own ``beat_schedule``
(``tlsmon/beat.py`` with its ``TLSMON_BEAT_*`` overrides), so a job added there runs here too.

Why a process beside runserver rather than a thread inside it: runserver's autoreloader runs
the server in a child process it restarts on every code change, and its management-command
siblings (migrate, seed_demo) import the same apps; a thread started from app loading would
run in all of them, twice after a reload. A separate process has one life, its own database
connection and its own clean shutdown.

Every job runs once when the runner starts, then at its crontab times. A laptop quickstart is
often stopped over a daily job's time (``report_windows`` at 00:07), and the jobs are written
to be idempotent and to work from due dates, so running each once at start is a catch-up, not
a duplicate. A job that raises is logged and tried again at its next time; the loop goes on.

Stopping does not wait for the job in progress: a scan round waiting on a slow nameserver can
take minutes, and Ctrl-C should stop the quickstart now. ``manage.py run_periodic`` raises
``JobInterrupted`` into the job; its transaction rolls back, a scan's running lease lapses so
its domains are due again (``scans.lease``), and every job runs once at the next start anyway.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger(__name__)


def next_run(schedule: Any, after: datetime) -> datetime:
    """The first time ``schedule`` (a ``celery.schedules.crontab``) fires after ``after``.

    Uses the crontab's own arithmetic, so a job fires here exactly when beat would fire it.
    """
    start, delta, _now = schedule.remaining_delta(after)
    return start + delta


@dataclass
class _Job:
    name: str
    task: str
    schedule: Any
    next_at: datetime
    last_summary: str | None = None


class JobInterrupted(BaseException):
    """Raised into a running job when the runner is stopped. A ``BaseException``, as
    ``KeyboardInterrupt`` is, so a job's ``except Exception`` cannot swallow it."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class PeriodicRunner:
    """Calls each job of a beat schedule when it is due, one at a time, until ``stop()``.

    ``call(task_name)`` runs one task and returns its summary. ``clock`` and ``tick`` (the
    longest sleep, so a suspended laptop or a changed clock is noticed soon) are parameters
    for the tests.
    """

    def __init__(
        self,
        schedule: Mapping[str, Mapping[str, Any]],
        call: Callable[[str], object],
        *,
        clock: Callable[[], datetime] = _utc_now,
        tick: float = 5.0,
        verbose: bool = False,
    ) -> None:
        now = clock()
        self.jobs = [
            _Job(name, entry["task"], entry["schedule"], now)  # due now: the start-up catch-up
            for name, entry in sorted(schedule.items())
        ]
        self.call, self.clock, self.tick, self.verbose = call, clock, tick, verbose
        self._stop = threading.Event()
        self.current: _Job | None = None

    def stop(self) -> None:
        """Ask the loop to end; it does not start another job. (Interrupting the job in
        progress is the caller's: ``run_periodic`` raises ``JobInterrupted`` from its signal
        handler.)"""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run_due(self) -> list[str]:
        """Run every job whose time has come; returns their names, in schedule order."""
        ran = []
        for job in self.jobs:
            if self.stopping or job.next_at > self.clock():
                continue
            self._run(job)
            # From the end of the run: a run longer than the period skips the missed times
            # instead of queueing them (what ``expires`` does for beat).
            job.next_at = next_run(job.schedule, self.clock())
            ran.append(job.name)
        return ran

    def run_forever(self) -> None:
        while not self.stopping:
            self.run_due()
            if self.jobs:
                soonest = min(job.next_at for job in self.jobs)
                wait = (soonest - self.clock()).total_seconds()
            else:
                wait = self.tick
            self._stop.wait(min(max(wait, 0.05), self.tick))

    def _run(self, job: _Job) -> None:
        started = time.monotonic()
        self.current = job
        try:
            summary = str(self.call(job.task))
        except Exception:
            log.exception(
                "periodic job %s (%s) failed; tried again at its next time", job.name, job.task
            )
            job.last_summary = None
            return
        finally:
            self.current = None
        elapsed = time.monotonic() - started
        # Unchanged summaries ("enqueued 0 due domain(s)" every minute) are not repeated.
        if self.verbose or summary != job.last_summary:
            log.info("periodic job %s: %s (%.1f s)", job.name, summary, elapsed)
        job.last_summary = summary
