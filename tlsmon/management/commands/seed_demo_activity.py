"""manage.py seed_demo_activity: scan results for the demo domains (after seed_demo).

Safe to run twice: domains that already have a scan are left alone.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_CLIENTS
from accounts.models import Domain
from scans.models import Scan
from scans.services import scan_results_store
from tlsmon.demo_scans import demo_check


class Command(BaseCommand):
    help = "Give the demo domains scan results (no network needed); run seed_demo first."

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
        scanned = set(Scan.objects.filter(domain__in=domains.values()).values_list("domain_id"))
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
        scan_results_store(results=results)
        self.stdout.write(f"Demo scans ready ({len(results)} domain(s) scanned).")
