"""The Celery app: Redis broker, tasks autodiscovered, default retry policy, the beat schedule."""

from __future__ import annotations

import os

from celery import Celery, Task
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


app = Celery("tlsmon", task_cls=TLSMonTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    job.name: {
        "task": job.task,
        "schedule": crontab(**fields),
        "options": {"expires": job.expires},
    }
    for job, fields in effective_jobs(os.environ)
}
