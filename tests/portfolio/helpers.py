"""Builders shared by the portfolio API tests (coverage, trends, authorizations).

Reports go through the real ingestion service and scans through the real scan path (with the
honest DNS fake of tests/scans/fakes.py), so the derived figures and rows under test are the
ones production writes.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from datetime import date, timedelta

from django.utils import timezone

from accounts.models import Domain, Tag
from reports.models import Channel
from reports.services import report_ingest_bytes
from scans.services import scan_domains
from tests.factories import DomainFactory
from tests.scans.fakes import FakeFetcher, FakeResolver, mx, ok, servfail

_report_ids = itertools.count(1)


def domain(organization, name: str, *, tags: tuple[str, ...] = (), **state) -> Domain:
    """A domain with tags, in a given state (verdict, gaps, figures) as scans and reports
    leave it."""
    row = DomainFactory(organization=organization, name=name, unicode_name=name, **state)
    tag_rows = [Tag.objects.get_or_create(organization=organization, name=t)[0] for t in tags]
    row.tags.set(tag_rows)
    return row


def days_ago(days: int) -> date:
    """A UTC day relative to today (the trend window ends yesterday by default)."""
    return timezone.now().date() - timedelta(days=days)


def policy(
    domain: str, successful: int, failed: int = 0, *, policy_type: str = "sts", details=()
) -> dict:
    """One policy of a report; ``details`` are (result_type, receiving_mx or None, failed)."""
    return {
        "policy": {"policy-type": policy_type, "policy-domain": domain},
        "summary": {
            "total-successful-session-count": successful,
            "total-failure-session-count": failed,
        },
        "failure-details": [_detail(*detail) for detail in details],
    }


def _detail(result_type: str, receiving_mx: str | None, count: int) -> dict:
    detail = {
        "result-type": result_type,
        "sending-mta-ip": "192.0.2.1",
        "failed-session-count": count,
    }
    if receiving_mx is not None:
        detail["receiving-mx-hostname"] = receiving_mx
    return detail


def ingest(organization, day: date, *policies: dict, reporter: str = "Google Inc.") -> None:
    """Deliver one daily report for UTC ``day`` through the real ingestion service."""
    report = {
        "organization-name": reporter,
        "date-range": {
            "start-datetime": f"{day.isoformat()}T00:00:00Z",
            "end-datetime": f"{day.isoformat()}T23:59:59Z",
        },
        "contact-info": "tlsrpt@sender.example",
        "report-id": f"{day.isoformat()}-{next(_report_ids)}",
        "policies": list(policies),
    }
    summary = report_ingest_bytes(
        organization=organization,
        payload=json.dumps(report).encode(),
        channel=Channel.HTTPS,
        source="test",
    )
    assert summary.accepted == 1 and not summary.rejected and not summary.quarantined, summary


def publish(
    resolver: FakeResolver,
    domain: str,
    rua: str | None,
    *,
    authorized: tuple[str, ...] = (),
    wildcard: tuple[str, ...] = (),
    lookup_error: tuple[str, ...] = (),
) -> FakeResolver:
    """DNS of a mail domain publishing ``v=TLSRPTv1; rua=<rua>`` (no record when None), and
    the ``<domain>._report._tls.<host>`` answers of its destinations (absent: NXDOMAIN)."""
    resolver.set("MX", mx(domain, (10, f"mx.{domain}")))
    if rua is not None:
        resolver.set("TXT", ok(f"_smtp._tls.{domain}", f"v=TLSRPTv1; rua={rua}"))
    for host in authorized:
        resolver.set("TXT", ok(f"{domain}._report._tls.{host}", "v=TLSRPTv1;"))
    for host in wildcard:
        resolver.set("TXT", ok(f"*._report._tls.{host}", "v=TLSRPTv1;"))
    for host in lookup_error:
        resolver.set("TXT", servfail(f"{domain}._report._tls.{host}"))
    return resolver


def break_dns(resolver: FakeResolver, domain: str) -> FakeResolver:
    """The ``_smtp._tls`` lookup fails (SERVFAIL): the scan ends in verdict ``error``."""
    return resolver.set("TXT", servfail(f"_smtp._tls.{domain}"))


def scan(*domains, resolver: FakeResolver) -> None:
    """Scan and store through the real scan path (scans.services.scan_domains)."""
    summary = scan_domains(
        domain_ids=[d.pk for d in domains], resolver=resolver, fetcher=FakeFetcher()
    )
    assert summary.failed == 0, summary


def read_csv(response) -> tuple[list[str], list[dict[str, str]]]:
    """(header, rows) of a streamed CSV answer."""
    assert response.status_code == 200, response
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def assert_invalid(response, field: str) -> dict:
    """A 400 in the one error shape, naming ``field``."""
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"status", "code", "detail", "fields"}
    assert (body["status"], body["code"]) == (400, "invalid")
    assert field in body["fields"], body
    return body


def every_page(client, url: str, params: dict) -> list[dict]:
    """Follow ``next`` links from the first page; every row in the order served."""
    response = client.get(url, params)
    rows = []
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        if not body["next"]:
            return rows
        response = client.get(body["next"])


def assert_read_only_endpoint(api_client, organization, url: str) -> None:
    """A read-only token reads ``url``; nobody writes to it: a read-only token's write is 403
    (the token check comes first), a read-write token's is 405."""
    reader = api_client(organization, write=False)
    assert reader.get(url).status_code == 200
    assert reader.post(url, {}, format="json").status_code == 403
    writer = api_client(organization, write=True)
    for method in ("post", "put", "patch", "delete"):
        response = getattr(writer, method)(url, {}, format="json")
        assert response.status_code == 405, (method, response.content)
        assert response.json()["code"] == "method_not_allowed"
