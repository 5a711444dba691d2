"""manage.py run_periodic: the beat schedule's jobs, called in this process until stopped.

The quickstart's stand-in for ``celery beat`` + a worker (``demo.periodic`` says why). With
``REDIS_URL`` set, run ``celery -A tlsmon beat`` and workers instead.
"""

from __future__ import annotations

import signal

from celery import current_app
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from demo.periodic import JobInterrupted, PeriodicRunner


def call_task(task_name: str) -> object:
    """Run one task here and now; a fresh database connection around it, as a worker has."""
    close_old_connections()
    try:
        return current_app.tasks[task_name]()
    finally:
        close_old_connections()


class Command(BaseCommand):
    help = (
        "Run the periodic jobs of the beat schedule (tlsmon/beat.py, TLSMON_BEAT_* overrides) "
        "in this process: each once at start, then at its times. Stop with SIGTERM or Ctrl-C."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--tick",
            type=float,
            default=5.0,
            help="longest sleep between checks for due jobs, in seconds (default 5)",
        )

    def handle(self, *args, tick: float, verbosity: int, **options):
        # The Celery app of this process (tlsmon.celery, loaded with the settings) holds the
        # schedule; loading its task modules registers the tasks the schedule names.
        current_app.loader.import_default_modules()
        schedule = current_app.conf.beat_schedule
        runner = PeriodicRunner(schedule, call_task, tick=tick, verbose=verbosity > 1)

        def stop(signum, frame):
            # Idempotent: Ctrl-C in scripts/start's terminal brings SIGINT and, from the
            # script's trap, SIGTERM at once. (Changing handlers here would race with the
            # second signal.) A job in progress is interrupted, not waited for (demo.periodic
            # says why that is safe).
            if runner.stopping:
                return
            runner.stop()
            if runner.current is not None:
                raise JobInterrupted(runner.current.name)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        names = ", ".join(sorted(schedule))
        self.stdout.write(f"Running {len(schedule)} periodic job(s) in this process: {names}")
        self.stdout.flush()
        try:
            runner.run_forever()
        except JobInterrupted as interrupted:
            self.stdout.write(f"Interrupted periodic job {interrupted}: it runs again at start.")
        self.stdout.write("Periodic jobs stopped.")
