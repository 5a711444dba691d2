"""The Celery app: Redis broker, tasks autodiscovered, default retry policy, the beat schedule."""

from __future__ import annotations

import logging
import os
import time

from celery import Celery, Task
from celery.beat import PersistentScheduler, ScheduleEntry
from celery.schedules import crontab

from tlsmon.beat import effective_jobs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tlsmon.settings")


class TLSMonTask(Task):
    """Default policy: retry transient infrastructure errors with jittered exponential backoff.

    Business errors are not retried: they are recorded by the service that raised them.
    """

    autoretry_for = (ConnectionError, TimeoutError)
    retry_backoff = 5
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 5


logger = logging.getLogger(__name__)


class RetryingScheduler(PersistentScheduler):
    """Beat that sends again, every ``retry_every`` seconds, a run it could not send (Redis
    down), instead of Celery's default of dropping it and waiting a whole period.

    A job owed this way goes out once the broker answers; its ``expires`` counts from then.
    """

    retry_every = 10.0

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.owed: set[str] = set()
        self.retry_at = 0.0
        super().__init__(*args, **kwargs)

    def apply_entry(self, entry: ScheduleEntry, producer: object = None) -> None:
        try:
            self.apply_async(entry, producer=producer, advance=False)
        except Exception as exc:  # SchedulingError wrapping the broker's error
            logger.warning("beat could not send %s (%s); retrying", entry.name, exc)
            self.owed.add(entry.name)
            self.retry_at = time.monotonic() + self.retry_every
        else:
            self.owed.discard(entry.name)

    def tick(self, *args: object, **kwargs: object) -> float:
        delay = super().tick(*args, **kwargs)
        if not self.owed:
            return delay
        wait = self.retry_at - time.monotonic()
        if wait > 0:
            return min(delay, wait)
        for name in sorted(self.owed):
            if name in self.schedule:
                self.apply_entry(self.schedule[name], producer=self.producer)
            else:  # removed from the schedule meanwhile
                self.owed.discard(name)
        return min(delay, self.retry_every)


app = Celery("tlsmon", task_cls=TLSMonTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_scheduler = "tlsmon.celery:RetryingScheduler"
app.conf.beat_schedule = {
    job.name: {
        "task": job.task,
        "schedule": crontab(**fields),
        "options": {"expires": job.expires},
    }
    for job, fields in effective_jobs(os.environ)
}
