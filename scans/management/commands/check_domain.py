"""manage.py check_domain DOMAIN [--nameserver HOST:PORT] [--json]: check one name now.

Needs no database rows: it normalizes the name, looks it up and prints the verdict. ``--json``
prints exactly one object, ``CheckResult.as_dict()`` (documented in docs/scanning.md).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.domain_names import DomainNameError, normalize_domain_name
from scans import dns as scan_dns
from scans import https as scan_https
from scans.checker import check_sync
from scans.results import CheckResult, score_note
from scans.services import tlsmon_hosts


def parse_nameserver(text: str) -> tuple[str, int]:
    """``HOST``, ``HOST:PORT``, ``[IPv6]:PORT`` or a bare IPv6 address; port 53 by default."""
    text = text.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest.removeprefix(":") if rest.startswith(":") else ("" if not rest else "x")
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
    else:
        host, port_text = text, ""
    if not host or (port_text and not port_text.isdigit()):
        raise CommandError(f"--nameserver {text!r}: use HOST, HOST:PORT or [IPv6]:PORT")
    port = int(port_text) if port_text else 53
    if not 0 < port < 65536:
        raise CommandError(f"--nameserver {text!r}: port must be 1-65535")
    return host, port


class Command(BaseCommand):
    help = "Check one domain's TLS-RPT (and MTA-STS) setup now and print verdict and fixes."

    def add_arguments(self, parser):
        parser.add_argument("domain")
        parser.add_argument(
            "--nameserver",
            action="append",
            default=[],
            metavar="HOST:PORT",
            help="ask this DNS server instead of the configured ones (repeatable)",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, domain, nameserver, **options):
        try:
            name = normalize_domain_name(domain).ascii
        except DomainNameError as exc:
            raise CommandError(str(exc)) from None
        if nameserver:
            resolver = scan_dns.build_resolver(
                [parse_nameserver(text) for text in nameserver],
                timeout=settings.TLSMON_DNS_TIMEOUT,
                retries=settings.TLSMON_DNS_RETRIES,
            )
        else:
            resolver = scan_dns.get_resolver()
        fetcher = scan_https.get_policy_fetcher(resolver)
        result = check_sync(name, resolver=resolver, fetcher=fetcher, tlsmon_hosts=tlsmon_hosts())
        used = resolver.describe() + ("" if nameserver else " (system resolver)")
        if settings.TLSMON_DNS_NAMESERVERS and not nameserver:
            used = resolver.describe() + " (TLSMON_DNS_NAMESERVERS)"
        self.stdout.write(as_json(result, used) if options["json"] else as_text(result, used))


def as_json(result: CheckResult, resolver: str) -> str:
    return json.dumps({**result.as_dict(), "resolver": resolver}, indent=2, ensure_ascii=False)


def as_text(result: CheckResult, resolver: str) -> str:
    """The human report: verdict, score, MTA-STS status, resolver, what was seen, then each
    finding (TLS-RPT, then MTA-STS) with its fix."""
    mx = result.mx
    score = f"score {result.score}/100" if result.score is not None else score_note(result.verdict)
    lines = [
        f"{result.domain}: {str(result.verdict).upper()} ({score})",
        f"Resolver: {resolver}",
        f"MX: {mx.get('kind', '?')} {' '.join(mx.get('hosts', []))}".rstrip(),
        f"MTA-STS: {str(result.mta_sts_status or 'not applicable').upper()}",
    ]
    for label, key in (("_smtp._tls TXT", "smtp_tls"), ("_mta-sts TXT", "mta_sts")):
        seen = result.records.get(key) or []
        lines.append(f"{label}: " + (" | ".join(seen) if seen else "(none)"))
    if result.rua:
        lines.append("Report destinations: " + ", ".join(result.rua))
    lines.append("")
    if not (result.findings or result.mta_sts_findings):
        lines.append("No findings.")
    for finding in (*result.findings, *result.mta_sts_findings):
        lines.append(f"[{finding.severity}] {finding.code}: {finding.message}")
        if finding.fix:
            lines.extend(f"    fix: {line}" for line in finding.fix.splitlines())
    return "\n".join(lines)
