"""The real-sender samples in ``../shared/samples/tlsrpt`` and their expected totals.

Tests read the files in place (they are third-party data under their own licences; never copy
them into this repository). ``TLSMON_SAMPLES_DIR`` points elsewhere if the checkout differs.
"""

from __future__ import annotations

import csv
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from reports.email_parsing import extract_reports
from reports.report_parsing import FailureDetail, Policy, Report, parse_report


def _samples_dir() -> Path:
    """``TLSMON_SAMPLES_DIR``, else ``../shared`` beside the checkout, else the workspace's
    shared folder (a CI clone may live elsewhere). Missing everywhere: the tests fail."""
    beside_checkout = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples" / "tlsrpt"
    candidates = [
        os.environ.get("TLSMON_SAMPLES_DIR"),
        beside_checkout,
        "/work/shared/samples/tlsrpt",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate).resolve()
    return beside_checkout.resolve()


def rebuilt_by_constructors(report: Report) -> Report:
    """The same report built through the dataclasses' own constructors (the parser skips them,
    see ``report_parsing._frozen``): a parsed report must equal and hash like this one."""
    policies = tuple(
        Policy(
            **{
                **vars(p),
                "failure_details": tuple(FailureDetail(**vars(d)) for d in p.failure_details),
            }
        )
        for p in report.policies
    )
    return Report(**{**vars(report), "policies": policies})


SAMPLES_DIR = _samples_dir()
# Files in the samples folder that are not samples.
NOT_SAMPLES = frozenset({"SOURCES.md", "expected.tsv"})
EMAIL_SUFFIXES = (".eml", ".elm")
MISSING_DOMAIN = "(missing)"


@dataclass(frozen=True)
class Expected:
    """One row of expected.tsv: totals for one (file, policy-domain)."""

    file: str
    policy_domain: str  # "" where expected.tsv says (missing)
    successful: int
    failed: int
    result_type_counts: dict[str, int] = field(default_factory=dict)


@dataclass
class Totals:
    """What expected.tsv sums: summaries per domain, and details per result type."""

    successful: int = 0
    failed: int = 0
    result_type_counts: Counter[str] = field(default_factory=Counter)


def sample_files() -> list[str]:
    """Every sample, as a path relative to SAMPLES_DIR with ``/`` separators."""
    return sorted(
        path.relative_to(SAMPLES_DIR).as_posix()
        for path in SAMPLES_DIR.rglob("*")
        if path.is_file() and path.name not in NOT_SAMPLES
    )


def expected_rows() -> list[Expected]:
    path = SAMPLES_DIR / "expected.tsv"
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return [_row(record) for record in csv.DictReader(handle, delimiter="\t")]


def _row(record: dict[str, str]) -> Expected:
    counts = {}
    for item in filter(None, (record.get("result_type_counts") or "").split(",")):
        name, _, number = item.partition("=")
        counts[name] = int(number)
    domain = record["policy_domain"]
    return Expected(
        file=record["file"],
        policy_domain="" if domain == MISSING_DOMAIN else domain,
        successful=int(record["successful"]),
        failed=int(record["failed"]),
        result_type_counts=counts,
    )


def reports_in(relative: str) -> list[Report]:
    """Parse one sample: JSON and gzip directly, emails through extract_reports first."""
    data = (SAMPLES_DIR / relative).read_bytes()
    if relative.endswith(EMAIL_SUFFIXES):
        return [parse_report(part.payload) for part in extract_reports(data).attachments]
    return [parse_report(data)]


def totals_by_domain(reports: list[Report]) -> dict[str, Totals]:
    """Sum over every policy of every report, per policy domain, as expected.tsv was made."""
    totals: dict[str, Totals] = {}
    for report in reports:
        for policy in report.policies:
            entry = totals.setdefault(policy.policy_domain, Totals())
            entry.successful += policy.successful_sessions
            entry.failed += policy.failed_sessions
            for detail in policy.failure_details:
                entry.result_type_counts[detail.result_type] += detail.failed_session_count
    return totals
