"""The counting rules of every figure, written once as SQL over the daily roll-ups.

Microsoft reports the same sessions under an ``sts`` and a ``tlsa`` policy of one domain
(protocol.md section 9b), and may repeat the failure details under both. So:

- **one policy type per reporter**: per (domain, day, reporter) only the roll-up row of the
  policy type with the most sessions counts (ties: the first policy type by name);
- **a failure counted once per policy type**: per (domain, day, result type, receiving MX,
  sending IP) the failed count is the largest any policy type reported, not their sum.

``reports.figures`` (writing the derived tables) and ``reports.trends`` (questions about chosen
domains, read straight from the roll-ups) both read the roll-ups only through these builders.

SQL builder functions rather than database views: every caller narrows by domains or
organizations and days, and that filter has to apply *before* the ranking and grouping. A view
would rank the whole table first whenever the filter names a column outside the window's
``PARTITION BY`` (the organization-day rebuild filters on ``organization_id``), and PostgreSQL
only pushes filters on partition columns below a window function. Plain SQL that PostgreSQL and
SQLite (3.25+) both run.
"""

from __future__ import annotations

from reports.models import DailyFailure, DailyRollup
from reports.sql import table_name

_FAILURE_KEY = "organization_id, domain_id, day, result_type, receiving_mx_hostname, sending_mta_ip"


def counted_rollups(where: str) -> str:
    """A derived table of the roll-up rows selected by ``where`` that count (one policy type per
    reporter): ``domain_id, organization_id, day, organization_name, successful, failed``."""
    return (
        "(SELECT domain_id, organization_id, day, organization_name, successful, failed FROM "
        "(SELECT domain_id, organization_id, day, organization_name, successful, failed, "
        "ROW_NUMBER() OVER (PARTITION BY domain_id, day, organization_name "
        "ORDER BY successful + failed DESC, policy_type) AS pick "
        f"FROM {table_name(DailyRollup)} WHERE {where}) ranked WHERE pick = 1)"
    )


def counted_failures(where: str) -> str:
    """A derived table of the failure roll-ups selected by ``where``, each failure counted once
    whatever the policy types that reported it: the key columns (``organization_id, domain_id,
    day, result_type, receiving_mx_hostname, sending_mta_ip``) and ``failed``."""
    return (
        f"(SELECT {_FAILURE_KEY}, MAX(failed) AS failed FROM {table_name(DailyFailure)} "
        f"WHERE {where} GROUP BY {_FAILURE_KEY})"
    )
