"""manage.py seed_demo_activity: scan results and two weeks of reports for the demo domains.

Run after seed_demo. The scan results are stored as the domains' demo recordings (trigger
``demo``), which every later scan of a demo domain replays instead of asking DNS. Safe to run
twice: domains that already have a recording are left alone, and the demo reports have fixed
ids, so a second run stores only duplicates.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import Domain
from demo.data import DEMO_CLIENTS
from demo.reports import demo_reports
from demo.scans import demo_check
from reports.bulk import reports_ingest_many
from scans.models import Scan, ScanTrigger
from scans.services import scan_results_store


class Command(BaseCommand):
    help = "Give the demo domains scan results and reports (no network); run seed_demo first."

    def handle(self, *args, **options):
        names = [name for domains in DEMO_CLIENTS.values() for name, _ in domains]
        domains = {
            d.unicode_name: d
            for d in Domain.objects.all_tenants()
            .filter(organization__slug__in=[slug for _, slug in DEMO_CLIENTS])
            .select_related("organization")
        }
        if not domains:
            raise CommandError("no demo domains: run manage.py seed_demo first")
        recorded = Scan.objects.filter(domain__in=domains.values(), trigger=ScanTrigger.DEMO)
        scanned = set(recorded.values_list("domain_id"))
        results = {}
        for index, name in enumerate(names):
            domain = domains.get(name)
            if domain is None or (domain.pk,) in scanned:
                continue
            results[domain.pk] = demo_check(
                index,
                domain.name,
                report_domain=settings.TLSMON_REPORT_DOMAIN,
                token=domain.organization.report_token,
            )
        scan_results_store(results=results, trigger=ScanTrigger.DEMO)
        accepted = self._reports(domains.values())
        self.stdout.write(
            f"Demo activity ready ({len(results)} domain(s) scanned, {accepted} report(s) stored)."
        )

    def _reports(self, domains) -> int:
        """Reports for the domains whose demo record is in place (verdict pass or warn)."""
        today = timezone.now().date()
        accepted = 0
        for domain in domains:
            domain.refresh_from_db(fields=["scan_verdict"])
            if domain.scan_verdict in {"pass", "warn"}:
                summary = reports_ingest_many(
                    organization=domain.organization,
                    items=demo_reports(domain.name, today=today),
                )
                accepted += summary.accepted
        return accepted
