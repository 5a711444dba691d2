"""Operator views of scan history (cross-tenant, read-only: scans are written by the scanner).

An operator reads a scan as the domain page shows it: findings with their severity label,
message and fix, and the records seen as text. The stored JSON stays the API's business.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from core.vocabulary import AuthorizationStatus, Gap, Severity
from scans.models import Scan, ScanChange

# Wrapped, so a long record or fix does not widen the admin page.
_PRE = '<pre style="white-space: pre-wrap; margin: 0">{}</pre>'


def _label(vocabulary, code: str) -> str:
    try:
        return vocabulary(code).label
    except ValueError:
        return str(code).replace("_", " ")


def findings_table(findings: list[dict]) -> SafeString:
    """Severity label, message, code and fix of each finding (stored as JSON on the scan)."""
    if not findings:
        return format_html('<p class="tlsmon-none">{}</p>', "No findings.")
    rows = format_html_join(
        "",
        '<tr><td class="tlsmon-sev-{}"><strong>{}</strong></td><td>{}<br><code>{}</code></td>'
        "<td>{}</td></tr>",
        (
            (
                f["severity"],
                _label(Severity, f["severity"]),
                f["message"],
                f["code"],
                format_html(_PRE, f["fix"]) if f.get("fix") else "—",
            )
            for f in findings
        ),
    )
    return format_html(
        '<table class="tlsmon-findings"><thead><tr><th>Severity</th><th>Finding</th>'
        "<th>Fix</th></tr></thead><tbody>{}</tbody></table>",
        rows,
    )


def _listed(values) -> str:
    return ", ".join(str(v) for v in values) if values else "none"


def records_text(result: dict) -> str:
    """What the scan saw on the wire, one line per record set, for a ``<pre>``."""
    records, mx, sts = result.get("records", {}), result.get("mx", {}), result.get("mta_sts", {})
    domain = result.get("domain", "")
    lines = [
        f"_smtp._tls.{domain} TXT ({records.get('smtp_tls_outcome', '?')}):",
        *(f"    {txt}" for txt in records.get("smtp_tls", [])),
    ]
    if records.get("smtp_tls_cnames"):
        lines.append(f"    via CNAME {' -> '.join(records['smtp_tls_cnames'])}")
    exchanges = [f"{r['preference']} {r['exchange'] or '.'}" for r in mx.get("records", [])]
    lines.append(f"MX ({mx.get('kind', '?')}): {_listed(exchanges or mx.get('hosts'))}")
    if mx.get("error"):
        lines.append(f"    error: {mx['error']}")
    lines.append(f"_mta-sts.{domain} TXT ({records.get('mta_sts_outcome', '?')}):")
    lines += [f"    {txt}" for txt in records.get("mta_sts", [])]
    if sts.get("mode"):
        lines.append(
            f"MTA-STS policy: mode {sts['mode']}, max_age {sts.get('max_age')}, "
            f"mx {_listed(sts.get('mx'))}"
        )
    fetch = sts.get("fetch") or {}
    if fetch.get("url"):
        answer = fetch.get("error") or f"HTTP {fetch.get('status')}"
        lines.append(f"    fetched {fetch['url']}: {answer}")
    for row in result.get("external_authorizations", []):
        status = _label(AuthorizationStatus, row["status"])
        lines.append(f"Authorization of {row['rua_host']}: {status} ({row['record_name']} TXT)")
    return "\n".join(lines)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.display(description="Worse?", ordering="worse")
def worse_mark(change: ScanChange) -> str:
    """A warning, not Django's green tick: a change for the worse is bad news."""
    return "⚠ worse" if change.worse else "—"


class ScanChangeInline(admin.TabularInline):
    model = ScanChange
    fields = ["kind", "subject", "before", "after", worse_mark]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Scan)
class ScanAdmin(ReadOnlyAdmin):
    list_display = ["domain", "verdict", "score", "status", "trigger", "finished_at", "duration_ms"]
    list_filter = ["verdict", "status", "trigger", "domain__organization"]
    search_fields = ["domain__name"]
    list_select_related = ["domain"]
    date_hierarchy = "requested_at"
    inlines = [ScanChangeInline]
    fieldsets = [
        (None, {"fields": ["domain", "status", "trigger", "replay_of", "error"]}),
        ("Outcome", {"fields": ["verdict", "score", "mta_sts", "gap_labels"]}),
        ("Findings", {"fields": ["tls_rpt_findings", "mta_sts_findings"]}),
        ("Seen on the wire", {"fields": ["records"]}),
        ("Timing", {"fields": ["requested_at", "finished_at", "duration"]}),
    ]
    readonly_fields = [
        "mta_sts",
        "duration",
        "gap_labels",
        "tls_rpt_findings",
        "mta_sts_findings",
        "records",
    ]

    @admin.display(description="MTA-STS status")
    def mta_sts(self, scan: Scan) -> str:
        return scan.get_mta_sts_status_display() or "not applicable (no mail) or not scanned"

    @admin.display(description="Duration")
    def duration(self, scan: Scan) -> str:
        return "—" if scan.duration_ms is None else f"{scan.duration_ms} ms"

    @admin.display(description="Coverage gaps")
    def gap_labels(self, scan: Scan) -> str:
        return ", ".join(_label(Gap, code) for code in scan.gaps) or "none"

    @admin.display(description="TLS-RPT findings (decide the verdict)")
    def tls_rpt_findings(self, scan: Scan) -> SafeString:
        return findings_table(scan.findings)

    @admin.display(description="MTA-STS findings")
    def mta_sts_findings(self, scan: Scan) -> SafeString:
        return findings_table((scan.result.get("mta_sts") or {}).get("findings", []))

    @admin.display(description="Records")
    def records(self, scan: Scan) -> SafeString:
        if not scan.result:
            return format_html("{}", "—")
        return format_html(_PRE, records_text(scan.result))


@admin.register(ScanChange)
class ScanChangeAdmin(ReadOnlyAdmin):
    list_display = ["domain", "kind", "subject", worse_mark, "created_at"]
    list_filter = ["kind", "worse", "domain__organization"]
    search_fields = ["domain__name", "before", "after"]
    list_select_related = ["domain"]
