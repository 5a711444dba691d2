"""Derived report figures (domain-day, organization-day, 7/30-day windows) follow ingestion."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from portfolio.services import domain_delete
from reports import services
from reports.figures import figures_rebuild_all
from reports.models import (
    Channel,
    DomainDailyTotal,
    OrganizationDailyFailure,
    OrganizationDailyResult,
    OrganizationDailyTotal,
)
from reports.tasks import slide_report_windows
from reports.windows import domain_windows_refresh
from tests.factories import DomainFactory, OrganizationFactory
from tests.reports.conftest import policy, report_json

pytestmark = pytest.mark.django_db

TODAY = timezone.now().date()


def _day(days_ago: int) -> date:
    return TODAY - timedelta(days=days_ago)


def ingest(org, *, report_id, reporter="Google Inc.", days_ago=1, policies):
    day = _day(days_ago).isoformat()
    body = report_json(
        report_id=report_id,
        reporter=reporter,
        policies=policies,
        start=f"{day}T00:00:00Z",
        end=f"{day}T23:59:59Z",
    )
    return services.report_ingest_bytes(
        organization=org, payload=body, channel=Channel.FILE, source=report_id
    )


def org_totals(org) -> dict[tuple[date, str], tuple[int, int]]:
    rows = OrganizationDailyTotal.objects.filter(organization=org)
    return {(r.day, r.organization_name): (r.successful, r.failed) for r in rows}


def derived_snapshot() -> tuple:
    return (
        sorted(DomainDailyTotal.objects.values_list("domain_id", "day", "successful", "failed")),
        sorted(
            OrganizationDailyTotal.objects.values_list(
                "organization_id", "day", "organization_name", "successful", "failed"
            )
        ),
        sorted(
            OrganizationDailyFailure.objects.values_list(
                "organization_id", "day", "result_type", "receiving_mx_hostname", "failed"
            )
        ),
        sorted(
            OrganizationDailyResult.objects.values_list(
                "organization_id", "day", "result_type", "failed"
            )
        ),
    )


@pytest.fixture
def tenant(db):
    org = OrganizationFactory()
    a = DomainFactory(organization=org, name="a.example")
    b = DomainFactory(organization=org, name="b.example")
    return org, a, b


def test_a_microsoft_sts_and_tlsa_pair_counts_its_sessions_once(tenant):
    org, a, _ = tenant
    details = [("validation-failure", "192.0.2.1", "mx1.a.example", 3)]
    ingest(
        org,
        report_id="ms-1",
        reporter="Microsoft Corporation",
        policies=[
            policy("sts", "a.example", 90, 3, details),
            policy("tlsa", "a.example", 90, 3, details),
        ],
    )
    (total,) = DomainDailyTotal.objects.filter(domain=a)
    assert (total.successful, total.failed) == (90, 3)
    assert org_totals(org) == {(_day(1), "Microsoft Corporation"): (90, 3)}
    (failure,) = OrganizationDailyFailure.objects.filter(organization=org)
    assert (failure.result_type, failure.receiving_mx_hostname, failure.failed) == (
        "validation-failure",
        "mx1.a.example",
        3,
    )


def test_two_reporters_add_up_and_a_later_bigger_policy_type_replaces_the_smaller(tenant):
    org, a, _ = tenant
    ingest(org, report_id="g-1", policies=[policy("sts", "a.example", 100, 0)])
    ingest(
        org,
        report_id="ms-1",
        reporter="Microsoft Corporation",
        policies=[policy("sts", "a.example", 40, 2), policy("sts", "b.example", 10, 0)],
    )
    assert DomainDailyTotal.objects.get(domain=a).successful == 140
    # The tlsa twin of the same day arrives in another report with more sessions: it counts
    # instead of the sts policy, not in addition to it.
    ingest(
        org,
        report_id="ms-2",
        reporter="Microsoft Corporation",
        policies=[policy("tlsa", "a.example", 45, 2)],
    )
    a_total = DomainDailyTotal.objects.get(domain=a)
    assert (a_total.successful, a_total.failed) == (145, 2)
    assert org_totals(org) == {
        (_day(1), "Google Inc."): (100, 0),
        (_day(1), "Microsoft Corporation"): (55, 2),
    }


def test_a_duplicate_report_changes_no_figure(tenant):
    org, _, _ = tenant
    ingest(org, report_id="g-1", policies=[policy("sts", "a.example", 100, 5)])
    before = derived_snapshot()
    summary = ingest(org, report_id="g-1", policies=[policy("sts", "a.example", 100, 5)])
    assert summary.duplicates == 1
    assert derived_snapshot() == before


def test_domain_windows_count_the_last_7_and_30_complete_days(tenant):
    org, a, _ = tenant
    for days_ago, failed in [(1, 1), (7, 2), (8, 4), (30, 8), (31, 16), (0, 32)]:
        ingest(
            org,
            report_id=f"g-{days_ago}",
            days_ago=days_ago,
            policies=[policy("sts", "a.example", 10, failed)],
        )
    a.refresh_from_db()
    assert a.report_window_end == _day(1)
    # 7 days: 1..7 days ago; 30 days: 1..30 days ago; today (incomplete) and older are out.
    assert (a.sessions_7d, a.failed_7d) == (10 + 1 + 10 + 2, 1 + 2)
    assert (a.sessions_30d, a.failed_30d) == (4 * 10 + 1 + 2 + 4 + 8, 1 + 2 + 4 + 8)


def test_the_daily_job_moves_the_windows_on(tenant):
    org, a, _ = tenant
    ingest(org, report_id="g-7", days_ago=7, policies=[policy("sts", "a.example", 10, 3)])
    a.refresh_from_db()
    assert a.failed_7d == 3
    # A day later the report is 8 days old: the job run "tomorrow" drops it from the 7 days.
    domain_windows_refresh(today=TODAY + timedelta(days=1))
    a.refresh_from_db()
    assert (a.failed_7d, a.failed_30d, a.report_window_end) == (0, 3, TODAY)
    assert "domain(s)" in slide_report_windows()
    a.refresh_from_db()
    assert a.failed_7d == 3


def test_deleting_a_domain_takes_it_out_of_the_organization_figures(tenant):
    org, a, _ = tenant
    ingest(
        org,
        report_id="g-1",
        policies=[
            policy(
                "sts", "a.example", 100, 7, [("starttls-not-supported", "192.0.2.1", "mx.a", 7)]
            ),
            policy("sts", "b.example", 50, 1, [("certificate-expired", "192.0.2.2", "mx.b", 1)]),
        ],
    )
    assert org_totals(org) == {(_day(1), "Google Inc."): (150, 8)}
    domain_delete(domain=a)
    assert org_totals(org) == {(_day(1), "Google Inc."): (50, 1)}
    assert list(OrganizationDailyFailure.objects.values_list("result_type", "failed")) == [
        ("certificate-expired", 1)
    ]
    assert list(OrganizationDailyResult.objects.values_list("result_type", "failed")) == [
        ("certificate-expired", 1)
    ]


def test_result_type_figures_add_up_the_mx_hosts_as_reports_arrive(tenant):
    org, _, _ = tenant
    expired = [
        ("certificate-expired", "192.0.2.1", "mx1.a", 2),
        ("certificate-expired", "192.0.2.1", "mx2.a", 3),
    ]
    ingest(org, report_id="g-1", policies=[policy("sts", "a.example", 10, 5, expired)])
    ingest(
        org,
        report_id="g-2",
        reporter="Yahoo",
        policies=[
            policy("sts", "b.example", 10, 4, [("certificate-expired", "192.0.2.7", "mx.b", 4)])
        ],
    )
    assert list(OrganizationDailyResult.objects.values_list("day", "result_type", "failed")) == [
        (_day(1), "certificate-expired", 9)
    ]


def test_a_full_rebuild_gives_the_same_figures_as_ingestion(tenant):
    org, _, _ = tenant
    other = OrganizationFactory()
    DomainFactory(organization=other, name="c.example")
    for i, (reporter, kind) in enumerate(
        [
            ("Google Inc.", "sts"),
            ("Microsoft Corporation", "tlsa"),
            ("Microsoft Corporation", "sts"),
        ]
    ):
        ingest(
            org,
            report_id=f"r-{i}",
            reporter=reporter,
            days_ago=1 + i,
            policies=[
                policy(
                    kind,
                    "a.example",
                    10 * (i + 1),
                    i,
                    [("validation-failure", "192.0.2.9", "mx", i)],
                ),
                policy(kind, "b.example", 5, 0),
            ],
        )
    ingest(other, report_id="o-1", policies=[policy("sts", "c.example", 7, 7)])
    incremental = derived_snapshot()
    figures_rebuild_all()
    assert derived_snapshot() == incremental
    assert len(incremental[0]) == 7


@pytest.mark.django_db(transaction=True)
def test_concurrent_ingestions_of_one_organization_day_lose_no_sessions():
    """GIVEN eight reports for the same organization and day, from different reporters
    WHEN they are stored by eight threads at once (each in its own transaction)
    THEN the organization-day figures hold all of them (the per-day advisory lock makes each
    rebuild see the others' committed rows)."""
    org = OrganizationFactory()
    DomainFactory(organization=org, name="a.example")
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def one(i: int) -> None:
        try:
            barrier.wait()
            ingest(
                org,
                report_id=f"c-{i}",
                reporter=f"Reporter {i}",
                policies=[policy("sts", "a.example", 10, 1)],
            )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(s for s, _ in org_totals(org).values()) == 80
    assert DomainDailyTotal.objects.get().successful == 80
