"""The beat schedule as data, with environment overrides (pure: no Django, no I/O).

Why a schedule in code rather than django-celery-beat: the few periodic jobs are part of the
product, reviewed with the code; per-tenant cadence (scan interval, digest time) lives in
due-date columns that a frequent job reads, so operators never need to edit crontabs per
tenant. An operator can still move or switch off a job with ``TLSMON_BEAT_<NAME>``:
a five-field crontab (``"*/5 * * * *"``) or ``disable``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from celery.schedules import crontab

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
    PeriodicJob(
        # Picks the domains whose next_scan_at has passed and fans them out in chunks. Every
        # minute: a chunk whose worker died is due again one running lease later
        # (TLSMON_SCAN_RUNNING_LEASE) and should not then wait for a far-off round.
        name="scan_due",
        task="scans.tasks.scan_due_domains",
        cron="* * * * *",
        expires=50,
    ),
    PeriodicJob(
        # Re-queues submissions stored but never processed (e.g. Redis was down) 45 s after
        # receipt, so such a report is processed within about two minutes.
        name="report_sweep",
        task="reports.tasks.sweep_unprocessed",
        cron="* * * * *",
        expires=50,
    ),
    PeriodicJob(
        # The coverage view's 7/30-day session totals end yesterday: move them on each day.
        name="report_windows",
        task="reports.tasks.slide_report_windows",
        cron="7 0 * * *",
        expires=23 * 3600,
    ),
    PeriodicJob(
        # Raw bodies of rejected/duplicate and of old accepted submissions (figures stay).
        name="report_retention",
        task="reports.tasks.purge_raw_submissions",
        cron="37 3 * * *",
        expires=23 * 3600,
    ),
    PeriodicJob(
        # Reports stopped arriving / never came after a record was published (alerts).
        name="alert_silence",
        task="notify.alert_tasks.check_silence",
        cron="23 * * * *",
        expires=50 * 60,
    ),
    PeriodicJob(
        # Non-critical alerts go out grouped every 15 minutes (critical ones at once).
        name="alert_send",
        task="notify.alert_tasks.send_alerts",
        cron="*/15 * * * *",
        expires=14 * 60,
    ),
    PeriodicJob(
        # Webhook retries with back-off, and deliveries the broker never carried.
        name="webhook_retry",
        task="notify.alert_tasks.retry_webhooks",
        cron="* * * * *",
        expires=50,
    ),
    PeriodicJob(
        # Digests are due at their recipient's hour (UTC); every 10 minutes also picks up
        # the retries of failed sends (notify.digest_schedule) without a long wait.
        name="digests",
        task="notify.tasks.send_due_digests",
        cron="*/10 * * * *",
        expires=9 * 60,
    ),
    PeriodicJob(
        name="mailbox_poll",
        task="reports.tasks.poll_mailboxes",
        cron="*/5 * * * *",
        expires=4 * 60,
    ),
)


_RANGES = {
    "minute": "0-59",
    "hour": "0-23",
    "day_of_month": "1-31",
    "month_of_year": "1-12",
    "day_of_week": "0-6 or mon-sun",
}


def parse_cron(text: str, *, variable: str = "crontab") -> dict[str, str]:
    """Five crontab fields as celery.schedules.crontab keyword arguments, checked now.

    Checking here, rather than when beat starts, makes a typo in ``TLSMON_BEAT_*`` stop every
    process with a message naming the variable.
    """
    fields = text.split()
    if len(fields) != 5:
        raise EnvError(
            f"{variable}={text!r} is not a five-field crontab (minute hour day month weekday)"
        )
    keys = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
    parsed = dict(zip(keys, fields, strict=True))
    for key, value in parsed.items():  # one field at a time, so the message names the field
        try:
            crontab(**{key: value})
        except ValueError:
            raise EnvError(
                f"{variable}={text!r}: the {key.replace('_', ' ')} field {value!r} is invalid "
                f"(allowed: {_RANGES[key]})"
            ) from None
    return parsed


def effective_jobs(environ: Mapping[str, str]) -> list[tuple[PeriodicJob, dict[str, str]]]:
    """The jobs that run, each with its crontab fields after env overrides."""
    result = []
    for job in JOBS:
        override = environ.get(f"TLSMON_BEAT_{job.name.upper()}", "").strip()
        if override.lower() == "disable":
            continue
        variable = f"TLSMON_BEAT_{job.name.upper()}"
        result.append((job, parse_cron(override or job.cron, variable=variable)))
    return result
