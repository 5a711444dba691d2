"""Celery entry points for report intake (thin: load by id, call one service, summarize)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.db import InterfaceError, OperationalError

from reports.models import Submission, SubmissionStatus
from reports.services import submission_process, submissions_sweep

# A lost database connection is transient too: the submission stays pending until retried.
RETRY_ON = (ConnectionError, TimeoutError, OperationalError, InterfaceError)


@shared_task(name="reports.tasks.process_submission", autoretry_for=RETRY_ON)
def process_submission(submission_id: int) -> str:
    """Process one stored submission; database/broker hiccups are retried (TLSMonTask)."""
    submission = Submission.objects.select_related("organization").filter(pk=submission_id).first()
    if submission is None:
        return f"submission {submission_id} no longer exists"
    if submission.status != SubmissionStatus.PENDING:  # the sweep may have sent it twice
        return f"submission {submission_id} already processed ({submission.status})"
    summary = submission_process(submission=submission)
    return f"submission {submission_id}: {summary}"


# A report stored but not processed (Redis was down, the database failed mid-request) is queued
# again this long after receipt; the sweep runs every minute, so it is processed within about
# 45 + 60 seconds. Queued messages expire when the next sweep would send a fresh one.
SWEEP_AFTER = timedelta(seconds=45)
SWEEP_EXPIRES = 60.0


@shared_task(name="reports.tasks.sweep_unprocessed")
def sweep_unprocessed() -> str:
    count = submissions_sweep(older_than=SWEEP_AFTER, expires=SWEEP_EXPIRES)
    return f"re-queued {count} pending submission(s)"


@shared_task(name="reports.tasks.poll_mailboxes")
def poll_mailboxes() -> str:
    from reports.mailbox import mailboxes_poll  # written by the IMAP side; imported lazily

    return str(mailboxes_poll())


@shared_task(name="reports.tasks.slide_report_windows")
def slide_report_windows() -> str:
    """Daily, just after midnight UTC: move every domain's 7/30-day totals one day on."""
    from reports.windows import domain_windows_refresh

    return f"report windows moved for {domain_windows_refresh()} domain(s)"


@shared_task(name="reports.tasks.purge_raw_submissions")
def purge_raw_submissions() -> str:
    """Daily: drop raw bodies past retention (TLSMON_RETENTION_*_DAYS); figures stay."""
    from reports.intake_limits import submissions_purge

    return str(submissions_purge())
