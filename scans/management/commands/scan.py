"""manage.py scan (--org SLUG [--include-clients] | --all | --domain NAME...): scan now."""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from accounts.models import Domain, Organization
from scans.models import ScanTrigger
from scans.services import ScanSummary, scan_domains


class Command(BaseCommand):
    help = (
        "Scan domains now, in-process, in chunks of TLSMON_SCAN_CHUNK_SIZE with a progress "
        "bar; prints a summary per verdict. Paused domains are skipped."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--org", metavar="SLUG", help="one organization's domains")
        which.add_argument("--all", action="store_true", help="every organization's domains")
        which.add_argument("--domain", nargs="+", metavar="NAME", help="these domain names")
        parser.add_argument(
            "--include-clients", action="store_true", help="with --org: its clients too"
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, org, all, domain, include_clients, no_progress, **options):
        ids = self._domain_ids(org=org, everything=all, names=domain, clients=include_clients)
        if not ids:
            raise CommandError("no active domains match")
        total = ScanSummary()
        size = settings.TLSMON_SCAN_CHUNK_SIZE
        # The raw stream: Django's wrapper would add a newline to every carriage-return redraw.
        stream = getattr(self.stderr, "_out", sys.stderr)
        with tqdm(total=len(ids), unit="domain", disable=no_progress, file=stream) as bar:
            for start in range(0, len(ids), size):
                summary = scan_domains(
                    domain_ids=ids[start : start + size],
                    trigger=ScanTrigger.COMMAND,
                    progress=bar.update,
                )
                total.scanned += summary.scanned
                total.failed += summary.failed
                total.verdicts.update(summary.verdicts)
        self.stdout.write(str(total))

    def _domain_ids(self, *, org, everything, names, clients) -> list[int]:
        domains = Domain.objects.all_tenants().filter(is_active=True)
        if org:
            organization = Organization.objects.filter(slug=org).first()
            if organization is None:
                raise CommandError(f"no organization with slug {org!r}")
            managed = {"organization__managed_by": organization} if clients else None
            wanted = domains.filter(organization=organization)
            if managed:
                wanted = wanted | domains.filter(**managed)
            domains = wanted
        elif names:
            domains = domains.filter(name__in=[name.strip().lower().rstrip(".") for name in names])
        return list(domains.order_by("id").values_list("pk", flat=True))
