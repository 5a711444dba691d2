"""What one digest says (pure: no Django, no I/O).

Data in: the organizations the recipient reaches (with their domain counts), one row per domain
with a coverage gap, the gaps the previous digest listed, and each organization's failure
figures for the period. Out: frozen dataclasses the templates render. "New" and "fixed" are the
difference between this digest's gap set and the previous one's, which the sender stores with
each digest (``gap_keys``) so the next can compare.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from core.result_types import describe
from core.vocabulary import Gap

REPORTS_SILENT = "reports_silent"  # the read-time gap of portfolio.coverage
# Domains named per gap kind (and in "new"/"fixed") and organization; the rest is a count and a
# link. Fewer per client in a roll-up, so an MSP's message stays readable (and short enough for
# mail clients that cut long messages).
MAX_LISTED = 50
ROLLUP_LISTED = 10


@dataclass(frozen=True)
class OrganizationRef:
    id: int
    slug: str
    name: str
    domains: int
    is_client: bool = False


@dataclass(frozen=True)
class GapRow:
    """One domain and the coverage gap kinds it has now."""

    organization_id: int
    domain_id: int
    domain_name: str
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class GapKey:
    """One (kind, domain) pair a digest listed; stored as a JSON list."""

    kind: str
    domain_id: int
    organization_id: int
    domain_name: str

    def as_json(self) -> list:
        return [self.kind, self.domain_id, self.organization_id, self.domain_name]

    @classmethod
    def from_json(cls, value: Sequence) -> GapKey:
        kind, domain_id, organization_id, name = value
        return cls(str(kind), int(domain_id), int(organization_id), str(name))


@dataclass(frozen=True)
class DomainFailures:
    domain_id: int
    domain_name: str
    failed: int
    sessions: int

    @property
    def failure_rate(self) -> float | None:
        return self.failed / self.sessions if self.sessions else None


@dataclass(frozen=True)
class Figures:
    """An organization's sessions over the period, as the report figures tell them."""

    organization_id: int
    sessions: int = 0
    failed: int = 0
    top_domains: tuple[DomainFailures, ...] = ()
    top_results: tuple[tuple[str, int], ...] = ()  # (result type code, failed sessions)


@dataclass(frozen=True)
class DomainRef:
    id: int
    name: str


@dataclass(frozen=True)
class GapGroup:
    kind: str
    label: str
    domains: tuple[DomainRef, ...]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.domains)


@dataclass(frozen=True)
class Change:
    kind: str
    label: str
    domain: DomainRef


@dataclass(frozen=True)
class ResultLine:
    code: str
    label: str
    explanation: str
    failed: int


@dataclass(frozen=True)
class OrganizationDigest:
    organization: OrganizationRef
    gaps: tuple[GapGroup, ...]
    new: tuple[Change, ...]
    fixed: tuple[Change, ...]
    new_total: int
    fixed_total: int
    sessions: int
    failed: int
    top_domains: tuple[DomainFailures, ...]
    top_results: tuple[ResultLine, ...]
    domains_with_gaps: int

    @property
    def failure_rate(self) -> float | None:
        return self.failed / self.sessions if self.sessions else None

    @property
    def new_more(self) -> int:
        return self.new_total - len(self.new)

    @property
    def fixed_more(self) -> int:
        return self.fixed_total - len(self.fixed)


@dataclass(frozen=True)
class Digest:
    period: str
    start: datetime
    end: datetime
    first_day: date
    last_day: date
    rollup: bool  # an MSP's digest across its clients, grouped by organization
    first: bool  # no previous digest to compare with
    organizations: tuple[OrganizationDigest, ...]
    gap_keys: list = field(default_factory=list)  # this digest's gaps, for the next one

    @property
    def domains(self) -> int:
        return sum(o.organization.domains for o in self.organizations)

    @property
    def domains_with_gaps(self) -> int:
        return sum(o.domains_with_gaps for o in self.organizations)

    @property
    def new_count(self) -> int:
        return sum(o.new_total for o in self.organizations)

    @property
    def fixed_count(self) -> int:
        return sum(o.fixed_total for o in self.organizations)

    @property
    def sessions(self) -> int:
        return sum(o.sessions for o in self.organizations)

    @property
    def failed(self) -> int:
        return sum(o.failed for o in self.organizations)

    @property
    def failure_rate(self) -> float | None:
        return self.failed / self.sessions if self.sessions else None

    @property
    def empty(self) -> bool:
        """Nothing to send: none of the organizations has a domain."""
        return not self.organizations


def gap_label(kind: str, *, silent_days: int) -> str:
    if kind == REPORTS_SILENT:
        return f"Record published, but no report for {silent_days} days"
    try:
        return Gap(kind).label
    except ValueError:
        return kind


def _keys(rows: Iterable[GapRow]) -> set[GapKey]:
    return {
        GapKey(kind, row.domain_id, row.organization_id, row.domain_name)
        for row in rows
        for kind in row.kinds
    }


def _changes(keys: Iterable[GapKey], silent_days: int) -> dict[int, tuple[Change, ...]]:
    by_org: dict[int, list[Change]] = defaultdict(list)
    for key in sorted(keys, key=lambda k: (k.domain_name, k.kind)):
        label = gap_label(key.kind, silent_days=silent_days)
        by_org[key.organization_id].append(
            Change(key.kind, label, DomainRef(key.domain_id, key.domain_name))
        )
    return {org: tuple(changes) for org, changes in by_org.items()}


def _gap_groups(
    rows: list[GapRow], kinds: Sequence[str], silent_days: int, max_listed: int
) -> tuple[GapGroup, ...]:
    groups = []
    for kind in kinds:
        domains = sorted(
            (DomainRef(r.domain_id, r.domain_name) for r in rows if kind in r.kinds),
            key=lambda d: d.name,
        )
        if domains:
            label = gap_label(kind, silent_days=silent_days)
            groups.append(GapGroup(kind, label, tuple(domains[:max_listed]), len(domains)))
    return tuple(groups)


def _result_lines(results: Iterable[tuple[str, int]]) -> tuple[ResultLine, ...]:
    lines = []
    for code, failed in results:
        if failed > 0:
            known = describe(code)
            lines.append(ResultLine(code, known.label, known.explanation, failed))
    return tuple(lines)


def build_digest(
    *,
    period: str,
    start: datetime,
    end: datetime,
    report_days: tuple[date, date],
    organizations: Sequence[OrganizationRef],
    gap_rows: Iterable[GapRow],
    previous: Iterable[Sequence] | None,
    existing_domain_ids: set[int],
    figures: Iterable[Figures],
    kinds: Sequence[str],
    silent_days: int,
    rollup: bool,
    max_listed: int | None = None,
) -> Digest:
    """The digest of ``organizations`` (those without domains are left out).

    ``previous`` is the stored ``gap_keys`` of the previous digest (None: there was none);
    a previous gap whose domain no longer exists is neither new nor fixed, just gone.
    """
    if max_listed is None:
        max_listed = ROLLUP_LISTED if rollup else MAX_LISTED
    shown = [o for o in organizations if o.domains > 0]
    shown_ids = {o.id for o in shown}
    rows = [r for r in gap_rows if r.kinds and r.organization_id in shown_ids]
    current = _keys(rows)
    new: dict[int, tuple[Change, ...]] = {}
    fixed: dict[int, tuple[Change, ...]] = {}
    if previous is not None:
        before = {GapKey.from_json(value) for value in previous}
        new = _changes(current - before, silent_days)
        gone = {k for k in before - current if k.domain_id in existing_domain_ids}
        fixed = _changes(gone, silent_days)
    by_org_rows: dict[int, list[GapRow]] = defaultdict(list)
    for row in rows:
        by_org_rows[row.organization_id].append(row)
    by_org_figures = {f.organization_id: f for f in figures}
    sections = []
    for org in shown:
        figs = by_org_figures.get(org.id, Figures(org.id))
        org_new, org_fixed = new.get(org.id, ()), fixed.get(org.id, ())
        sections.append(
            OrganizationDigest(
                organization=org,
                gaps=_gap_groups(by_org_rows[org.id], kinds, silent_days, max_listed),
                new=org_new[:max_listed],
                fixed=org_fixed[:max_listed],
                new_total=len(org_new),
                fixed_total=len(org_fixed),
                sessions=figs.sessions,
                failed=figs.failed,
                top_domains=tuple(d for d in figs.top_domains if d.failed > 0),
                top_results=_result_lines(figs.top_results),
                domains_with_gaps=len(by_org_rows[org.id]),
            )
        )
    return Digest(
        period=period,
        start=start,
        end=end,
        first_day=report_days[0],
        last_day=report_days[1],
        rollup=rollup,
        first=previous is None,
        organizations=tuple(sections),
        gap_keys=[key.as_json() for key in sorted(current, key=lambda k: (k.domain_id, k.kind))],
    )


def digest_subject(digest: Digest, recipient_organization: str) -> str:
    """One line that says whether opening it is worth it."""
    period = "Daily" if digest.period == "daily" else "Weekly"
    parts = [f"{digest.domains_with_gaps} of {digest.domains} domains with gaps"]
    if not digest.first:
        parts.append(f"{digest.new_count} new, {digest.fixed_count} fixed")
    if digest.failure_rate is not None:
        parts.append(f"{digest.failure_rate:.1%} of sessions failed")
    subject = f"{period} TLSMon digest for {recipient_organization}: {'; '.join(parts)}"
    return " ".join(subject.split())  # one line, whatever the organization's name holds
