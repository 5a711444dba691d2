"""manage.py refresh_report_figures: rebuild the derived report figures from the roll-ups."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from reports.figures import figures_rebuild_all


class Command(BaseCommand):
    help = (
        "Rebuild the domain-day and organization-day figures and every domain's 7/30-day "
        "session totals from the daily roll-ups (after an upgrade or a bulk load). Idempotent."
    )

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        figures_rebuild_all()
        self.stdout.write(f"report figures rebuilt in {time.perf_counter() - started:.1f} s")
