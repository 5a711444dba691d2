"""The beat schedule as data, with environment overrides (pure: no Celery, no Django).

Why a schedule in code rather than django-celery-beat: the few periodic jobs are part of the
product, reviewed with the code; per-tenant cadence (scan interval, digest time) lives in
due-date columns that a frequent job reads, so operators never need to edit crontabs per
tenant. An operator can still move or switch off a job with ``TLSMON_BEAT_<NAME>``:
a five-field crontab (``"*/5 * * * *"``) or ``disable``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tlsmon.env import EnvError


@dataclass(frozen=True)
class PeriodicJob:
    name: str  # stable key, also the env override suffix
    task: str  # dotted task path
    cron: str  # minute hour day-of-month month day-of-week
    expires: int  # seconds: just under the period, so missed runs do not pile up


JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob(
        name="token_cleanup",
        task="accounts.tasks.token_cleanup",
        cron="17 3 * * *",
        expires=23 * 3600,
    ),
)


def parse_cron(text: str) -> dict[str, str]:
    fields = text.split()
    if len(fields) != 5:
        raise EnvError(f"{text!r} is not a five-field crontab (minute hour day month weekday)")
    keys = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
    return dict(zip(keys, fields, strict=True))


def effective_jobs(environ: Mapping[str, str]) -> list[tuple[PeriodicJob, dict[str, str]]]:
    """The jobs that run, each with its crontab fields after env overrides."""
    result = []
    for job in JOBS:
        override = environ.get(f"TLSMON_BEAT_{job.name.upper()}", "").strip()
        if override.lower() == "disable":
            continue
        result.append((job, parse_cron(override or job.cron)))
    return result
