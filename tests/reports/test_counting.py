"""The counting rules (reports/counting.py) read straight from roll-up rows written here."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from reports.counting import counted_failures, counted_rollups
from reports.models import DailyFailure, DailyRollup
from reports.sql import as_date
from tests.factories import DomainFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 2)


def _row(model, domain, **fields) -> None:
    model.objects.create(domain=domain, organization=domain.organization, day=DAY, **fields)


def rollup(domain, policy_type: str, successful: int, failed: int, reporter="Microsoft") -> None:
    fields = {"successful": successful, "failed": failed, "reports": 1}
    _row(DailyRollup, domain, organization_name=reporter, policy_type=policy_type, **fields)


def failure(domain, policy_type: str, failed: int, *, ip="192.0.2.1") -> None:
    where = {"result_type": "starttls-not-supported", "receiving_mx_hostname": "mx.example"}
    _row(DailyFailure, domain, policy_type=policy_type, sending_mta_ip=ip, failed=failed, **where)


def read(derived_table: str, columns: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {derived_table} counted ORDER BY {columns}")
        return cursor.fetchall()


def test_one_policy_type_per_reporter_the_one_with_most_sessions(org):
    domain = DomainFactory(organization=org)
    rollup(domain, "sts", 10, 2)
    rollup(domain, "tlsa", 11, 3)  # Microsoft's twin, more sessions: this one counts
    rollup(domain, "sts", 4, 0, reporter="Google Inc.")

    rows = read(counted_rollups("1 = 1"), "organization_name, successful, failed")

    assert rows == [("Google Inc.", 4, 0), ("Microsoft", 11, 3)]


def test_a_tie_counts_the_first_policy_type_by_name(org):
    domain = DomainFactory(organization=org)
    rollup(domain, "tlsa", 5, 5)
    rollup(domain, "sts", 9, 1)

    rows = read(counted_rollups("1 = 1"), "domain_id, organization_id, day, successful, failed")

    assert [(d, o, as_date(day), s, f) for d, o, day, s, f in rows] == [
        (domain.pk, org.pk, DAY, 9, 1)
    ]


def test_the_filter_applies_before_the_ranking(org):
    """A filter that drops the biggest policy type leaves the next one counting, so callers'
    narrowing by domains and days is part of the rule, not applied to its result."""
    domain = DomainFactory(organization=org)
    rollup(domain, "sts", 10, 0)
    rollup(domain, "tlsa", 20, 0)

    rows = read(counted_rollups("policy_type = 'sts'"), "successful")

    assert rows == [(10,)]


def test_a_failure_reported_under_two_policy_types_counts_once(org):
    domain = DomainFactory(organization=org)
    failure(domain, "sts", 4)
    failure(domain, "tlsa", 6)
    failure(domain, "sts", 2, ip="192.0.2.2")  # another sending host: its own failure

    rows = read(counted_failures("1 = 1"), "sending_mta_ip, failed")

    assert rows == [("192.0.2.1", 6), ("192.0.2.2", 2)]
