"""manage.py scan (--org SLUG [--include-clients] | --all | --domain NAME...): scan now."""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from accounts.domain_names import DomainNameError, normalize_domain_name
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
        if domain:
            ids = self._named_ids(domain)
        else:
            ids = self._domain_ids(org=org, clients=include_clients)
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

    def _named_ids(self, names: list[str]) -> list[int]:
        """Ids of the named domains (any organization; Unicode or A-label names); each name
        that is skipped is reported on stderr with the reason."""
        wanted: dict[str, str] = {}
        for text in names:
            try:
                wanted.setdefault(normalize_domain_name(text).ascii, text)
            except DomainNameError as exc:
                self.stderr.write(f"skipped {text!r}: {exc}")
        rows = Domain.objects.all_tenants().filter(name__in=list(wanted))
        found = set(rows.values_list("name", flat=True))
        active = set(rows.filter(is_active=True).values_list("name", flat=True))
        for name, text in wanted.items():
            if name not in found:
                self.stderr.write(f"skipped {text!r}: no organization monitors {name}")
            elif name not in active:
                self.stderr.write(f"skipped {text!r}: the domain is paused")
        return list(rows.filter(is_active=True).order_by("id").values_list("pk", flat=True))

    def _domain_ids(self, *, org, clients) -> list[int]:
        domains = Domain.objects.all_tenants()
        if org:
            organization = Organization.objects.filter(slug=org).first()
            if organization is None:
                raise CommandError(f"no organization with slug {org!r}")
            managed = {"organization__managed_by": organization} if clients else None
            wanted = domains.filter(organization=organization)
            if managed:
                wanted = wanted | domains.filter(**managed)
            domains = wanted
        if paused := domains.filter(is_active=False).count():
            self.stderr.write(f"skipped {paused} paused domain(s)")
        return list(domains.filter(is_active=True).order_by("id").values_list("pk", flat=True))
