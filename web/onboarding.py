"""Onboarding: add a pasted list of domains to one organization, scan the new ones at once,
and remember the batch in the user's session so its result page can be reloaded.

The batch (every row's outcome and the scan queued per new domain) lives in the session, not
in the database: it matters to the person who pasted the list, for as long as they watch the
scans finish; the domains and scans themselves are ordinary rows.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict

from django.db import transaction
from django.utils import timezone

from accounts.bulk_input import DomainRow
from accounts.models import Organization
from accounts.scoping import Scope
from accounts.selectors import domain_list
from accounts.services import BulkRow, domains_bulk_create
from scans.models import ScanStatus, ScanTrigger
from scans.on_demand import scans_request
from scans.reporting_record import publish_plan
from scans.selectors import latest_results, scans_by_id
from scans.services import tlsmon_hosts

SESSION_KEY = "onboarding"
KEEP_BATCHES = 5


@transaction.atomic  # a tag refused in a later group keeps nothing; the scans go on commit
def domains_onboard(
    *, organization: Organization, rows: Sequence[DomainRow], tags: Sequence[str], reach: Scope
) -> dict:
    """Create the valid rows in ``organization`` (each with the form's tags plus its own),
    queue a scan of every new domain, and return the batch: ``rows`` in input order and
    ``scans`` (domain id -> scan id). ``reach`` is what the user sees (an MSP's clients), to
    say where a new domain is already monitored in another organization."""
    results: list[BulkRow] = []
    by_tags: dict[tuple[str, ...], list[DomainRow]] = defaultdict(list)
    for row in rows:
        by_tags[tuple(dict.fromkeys([*tags, *row.tags]))].append(row)
    for row_tags, group in by_tags.items():
        result = domains_bulk_create(
            organization=organization,
            names=[row.name for row in group],
            tags=row_tags,
            rows=[row.line for row in group],
        )
        results.extend(result.rows)
    results.sort(key=lambda row: row.row)
    created = [row.id for row in results if row.status == "created" and row.id]
    domains = list(
        domain_list(scope=Scope(organization, includes_clients=False)).filter(pk__in=created)
    )
    scans = scans_request(domains=domains, trigger=ScanTrigger.WEB)
    elsewhere = _monitored_elsewhere(reach, organization, [d.name for d in domains])
    return {
        "organization": organization.pk,
        "rows": [{**asdict(row), "elsewhere": elsewhere.get(row.name, [])} for row in results],
        "scans": {str(pk): scan.pk for pk, scan in scans.items()},
    }


def _monitored_elsewhere(reach: Scope, organization: Organization, names: list[str]) -> dict:
    """Name -> the other organizations in reach that monitor it too (an MSP's clients)."""
    found: dict[str, list[str]] = defaultdict(list)
    if not reach.includes_clients or not names:
        return found
    others = domain_list(scope=reach).filter(name__in=names).exclude(organization=organization)
    for name, org_name in others.values_list("name", "organization__name"):
        found[name].append(org_name)
    return found


def batch_save(session, batch: dict, batch_id: str | None = None) -> str:
    """Keep ``batch`` in the session (the newest few only); returns its id."""
    batch_id = batch_id or secrets.token_urlsafe(8)
    batches = {k: v for k, v in session.get(SESSION_KEY, {}).items() if k != batch_id}
    batches[batch_id] = batch
    session[SESSION_KEY] = dict(list(batches.items())[-KEEP_BATCHES:])
    return batch_id


def batch_load(session, batch_id: str, organization: Organization) -> dict | None:
    """The batch, if this session made it for this organization."""
    batch = session.get(SESSION_KEY, {}).get(batch_id)
    if batch is None or batch.get("organization") != organization.pk:
        return None
    return batch


def batch_progress(batch: dict, scope: Scope) -> dict:
    """How many of the batch's scans have finished (the status endpoint and the page)."""
    scans = scans_by_id(scope=scope, ids=batch["scans"].values())
    finished = sum(1 for scan in scans.values() if scan.status != ScanStatus.QUEUED)
    return {"total": len(scans), "finished": finished, "pending": finished < len(scans)}


def batch_domains(batch: dict, scope: Scope) -> list[dict]:
    """Each new domain of the batch with its scan and what to publish, from its latest
    finished scan (a "check again" still running shows the previous result meanwhile)."""
    organization = scope.organization
    ids = [int(pk) for pk in batch["scans"]]
    domains = (
        domain_list(scope=Scope(organization, includes_clients=False))
        .filter(pk__in=ids)
        .order_by("name")
    )
    scans = scans_by_id(scope=scope, ids=batch["scans"].values())
    results = latest_results(domain_ids=ids)
    hosts = tlsmon_hosts()
    sts_id = timezone.now().strftime("%Y%m%d")  # an MTA-STS id to start with: today's date
    return [
        {
            "domain": domain,
            "scan": scans.get(batch["scans"][str(domain.pk)]),
            "plan": publish_plan(
                domain.name,
                results.get(domain.pk),
                tlsmon_rua=organization.report_destinations,
                tlsmon_hosts=hosts,
                sts_id=sts_id,
            ),
        }
        for domain in domains
    ]


def batch_rescan(batch: dict, scope: Scope) -> tuple[int, int]:
    """Queue the batch's domains again ("check again"); returns (queued now, within the
    cooldown so their recent scan stands)."""
    ids = [int(pk) for pk in batch["scans"]]
    domains = list(
        domain_list(scope=Scope(scope.organization, includes_clients=False)).filter(pk__in=ids)
    )
    before = set(batch["scans"].values())
    scans = scans_request(domains=domains, trigger=ScanTrigger.WEB)
    batch["scans"] = {str(pk): scan.pk for pk, scan in scans.items()}
    fresh = sum(1 for scan in scans.values() if scan.pk not in before)
    return fresh, len(scans) - fresh
