"""``manage.py purge_submissions``: drop raw report bodies past retention now (the beat job
``report_retention`` runs the same service daily)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from reports.intake_limits import submissions_purge


class Command(BaseCommand):
    help = (
        "Purge raw bodies of rejected/duplicate submissions older than "
        "TLSMON_RETENTION_REJECTED_DAYS and of all others older than TLSMON_RETENTION_RAW_DAYS."
    )

    def handle(self, *args, **options) -> None:
        self.stdout.write(str(submissions_purge()))
