"""Read paths of the coverage view: one row per domain from the domain table alone.

Scans and reports write their latest facts onto ``accounts.Domain`` (verdict, gaps, last report,
7/30-day session totals), so a page, a filter, the summary and a 10,000-row export are each one
query. "Reports silent" is the only gap decided here, at read time, because it depends on now.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast

from accounts.models import Domain, ScanVerdict
from accounts.scoping import Scope, scope_to_org
from core.vocabulary import Gap, MtaStsStatus

REPORTS_SILENT = "reports_silent"
GAP_KINDS: tuple[str, ...] = (*(str(g) for g in Gap), REPORTS_SILENT)
VERDICTS: tuple[str, ...] = (*ScanVerdict.values, "unscanned")
# The MTA-STS axis, beside the verdict; "unscanned" as for verdicts, "not_applicable" for a
# scanned domain without one (it takes no mail).
MTA_STS_STATUSES: tuple[str, ...] = (*(str(s) for s in MtaStsStatus), "not_applicable", "unscanned")
_RECORD_SEEN = (ScanVerdict.PASS, ScanVerdict.WARN, ScanVerdict.FAIL)


def silent_condition(now: datetime) -> Q:
    """A record is published (the last scan found one) but no report came for N days."""
    since = now - timedelta(days=settings.TLSMON_REPORTS_SILENT_DAYS)
    published = Q(scan_verdict__in=_RECORD_SEEN) & ~Q(scan_gaps__includes=str(Gap.NO_RECORD))
    quiet = Q(last_report_at__lt=since) | Q(last_report_at__isnull=True, added_at__lt=since)
    return published & quiet


def gap_condition(kind: str, now: datetime) -> Q:
    if kind == REPORTS_SILENT:
        return silent_condition(now)
    return Q(scan_gaps__includes=kind)


def verdict_condition(verdict: str) -> Q:
    return Q(scan_verdict="") if verdict == "unscanned" else Q(scan_verdict=verdict)


def _rate(failed: str, sessions: str):
    return Case(
        When(
            **{f"{sessions}__gt": 0},
            then=ExpressionWrapper(
                Cast(F(failed), FloatField()) / Cast(F(sessions), FloatField()),
                output_field=FloatField(),
            ),
        ),
        default=Value(None, output_field=FloatField()),
        output_field=FloatField(),
    )


def coverage_annotate(domains: QuerySet[Domain], *, now: datetime) -> QuerySet[Domain]:
    """Add the computed coverage columns (``reports_silent``, ``failure_rate_7d``,
    ``failure_rate_30d``) to already scoped domains; organization and tags come along without
    a query per row."""
    return (
        domains.select_related("organization")
        .prefetch_related("tags")
        .annotate(
            reports_silent=Case(
                When(silent_condition(now), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            failure_rate_7d=_rate("failed_7d", "sessions_7d"),
            failure_rate_30d=_rate("failed_30d", "sessions_30d"),
        )
        .order_by("name", "id")
    )


def coverage_gaps(domain: Domain) -> list[str]:
    """The gap kinds of one row of ``coverage_annotate``, in the catalogue's order."""
    kinds = set(domain.scan_gaps or ())
    if getattr(domain, "reports_silent", False):
        kinds.add(REPORTS_SILENT)
    return [kind for kind in GAP_KINDS if kind in kinds]


def mta_sts_condition(status: str) -> Q:
    """Unscanned as for verdicts; a scanned domain without a status takes no mail."""
    if status == "unscanned":
        return verdict_condition("unscanned")
    if status == "not_applicable":
        return Q(scan_mta_sts="") & ~verdict_condition("unscanned")
    return Q(scan_mta_sts=status)


def coverage_summary(*, domains: QuerySet[Domain], now: datetime) -> list[dict]:
    """Counts per verdict, per MTA-STS status and per gap kind for each organization among
    ``domains`` (already scoped and filtered), in one grouped query."""
    counts = {f"v_{v}": Count("id", filter=verdict_condition(v)) for v in VERDICTS}
    counts |= {f"m_{s}": Count("id", filter=mta_sts_condition(s)) for s in MTA_STS_STATUSES}
    counts |= {f"g_{kind}": Count("id", filter=gap_condition(kind, now)) for kind in GAP_KINDS}
    rows = (
        domains.order_by()
        .values("organization_id", "organization__slug", "organization__name")
        .annotate(
            domains=Count("id"),
            with_failures_7d=Count("id", filter=Q(failed_7d__gt=0)),
            **counts,
        )
        .order_by("organization__name", "organization_id")
    )
    return [
        {
            "organization": row["organization__slug"],
            "name": row["organization__name"],
            "domains": row["domains"],
            "with_failures_7d": row["with_failures_7d"],
            "verdicts": {v: row[f"v_{v}"] for v in VERDICTS},
            "mta_sts": {s: row[f"m_{s}"] for s in MTA_STS_STATUSES},
            "gaps": {kind: row[f"g_{kind}"] for kind in GAP_KINDS},
        }
        for row in rows
    ]


def coverage_totals(organizations: list[dict]) -> dict:
    """The rows of ``coverage_summary`` added up: what the summary API and the dashboard
    show as totals."""
    totals = {
        "domains": 0,
        "with_failures_7d": 0,
        "verdicts": dict.fromkeys(VERDICTS, 0),
        "mta_sts": dict.fromkeys(MTA_STS_STATUSES, 0),
        "gaps": dict.fromkeys(GAP_KINDS, 0),
    }
    for row in organizations:
        totals["domains"] += row["domains"]
        totals["with_failures_7d"] += row["with_failures_7d"]
        for group in ("verdicts", "mta_sts", "gaps"):
            for key, count in row[group].items():
                totals[group][key] += count
    return totals


def coverage_domains(*, scope: Scope, now: datetime) -> QuerySet[Domain]:
    """Every domain ``scope`` reaches, with the coverage columns: the rows the coverage API
    lists and its summary counts (web pages start here too, so their figures are the API's)."""
    return coverage_annotate(scope_to_org(Domain.objects.all(), scope), now=now)


# Verdicts from worst to best ("error" = could not tell: after the real problems).
VERDICT_SEVERITY: tuple[str, ...] = ("fail", "warn", "error", "unscanned", "not_applicable", "pass")


def verdict_rank() -> Case:
    """0 for ``fail`` up to 5 for ``pass`` (``VERDICT_SEVERITY``), to sort worst first."""
    return Case(
        *(When(verdict_condition(v), then=Value(i)) for i, v in enumerate(VERDICT_SEVERITY)),
        default=Value(len(VERDICT_SEVERITY)),
        output_field=IntegerField(),
    )


def worst_domains(*, domains: QuerySet[Domain], limit: int = 10) -> list[Domain]:
    """The ``limit`` domains that hurt most: most failed sessions over the last 30 days, then
    the worst verdict and lowest score. Only domains with failures or a failing/warning record
    qualify, so a healthy portfolio shows a short list, not its healthiest domains."""
    trouble = Q(failed_30d__gt=0) | Q(scan_verdict__in=(ScanVerdict.FAIL, ScanVerdict.WARN))
    return list(
        domains.filter(trouble).order_by(
            F("failed_30d").desc(),
            verdict_rank(),
            F("scan_score").asc(nulls_last=True),
            "name",
            "id",
        )[:limit]
    )
