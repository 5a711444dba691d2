"""manage.py authorization_records [--org SLUG] [--missing-only]: zone lines to publish.

TLSMon is itself an external report destination: a domain whose ``rua`` points at TLSMon
names a host outside the domain. Some report processors look for
``<domain>._report._tls.<destination host>`` TXT ``v=TLSRPTv1`` before they send (a vendor
convention borrowed from DMARC; RFC 8460 does not require it). This prints those lines for
the operator of ``TLSMON_REPORT_DOMAIN`` and, from the latest scans, whether each is published.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Domain, Organization
from scans.reporting_record import operator_statuses
from scans.selectors import latest_results
from scans.services import tlsmon_host_candidates, tlsmon_hosts

_STATUS_TEXT = {
    "authorized": "published",
    "wildcard_authorized": "published (wildcard)",
    "missing": "MISSING",
    "lookup_error": "lookup error at the last scan",
}


def published_status(result: dict | None, host: str) -> str:
    """What the latest scan saw (``scans.reporting_record.operator_statuses``)."""
    status = operator_statuses(result).get(host)
    if status is not None:
        return _STATUS_TEXT.get(status, status)
    if result is None:
        return "not scanned yet"
    return "not checked at the last scan: scan the domain again"


class Command(BaseCommand):
    help = "Print the TXT records that authorize TLSMon as an external TLS-RPT destination."

    def add_arguments(self, parser):
        parser.add_argument("--org", metavar="SLUG", help="only this organization's domains")
        parser.add_argument("--missing-only", action="store_true", help="only lines not found")
        parser.add_argument("--ttl", type=int, default=3600)

    def handle(self, *args, org, missing_only, ttl, **options):
        domains = Domain.objects.all_tenants().filter(is_active=True)
        if org:
            organization = Organization.objects.filter(slug=org).first()
            if organization is None:
                raise CommandError(f"no organization with slug {org!r}")
            domains = domains.filter(organization=organization)
        rows = list(domains.order_by("name").values_list("pk", "name").distinct())
        results = latest_results(domain_ids=[pk for pk, _ in rows])
        hosts = tlsmon_hosts()
        self.stdout.write(
            "; Authorization records for TLSMon as an external TLS-RPT destination.\n"
            "; A vendor convention (not required by RFC 8460); some report senders check it.\n"
            "; One wildcard line per host, *._report._tls.<host>, authorizes every domain.\n"
        )
        for host in sorted(set(tlsmon_host_candidates()) - set(hosts)):
            self.stdout.write(
                f"; skipped {host}: an IP address (from TLSMON_BASE_URL) is not a DNS name, so "
                "no record can be published under it; set TLSMON_BASE_URL to a host name.\n"
            )
        for pk, name in rows:
            for host in hosts:
                state = published_status(results.get(pk), host)
                if missing_only and state.startswith("published"):
                    continue
                line = f'{name}._report._tls.{host}. {ttl} IN TXT "v=TLSRPTv1"'
                self.stdout.write(f"{line} ; {state}")
