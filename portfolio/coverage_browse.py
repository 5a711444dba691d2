"""Browsing the coverage rows page by page in the web UI: search, the sort orders a person
picks, and one page of rows loaded by its keys.

Filters are the API's (``portfolio.coverage_filters.CoverageFilter``); search reads like the
API's ``?search=`` (every word must appear in the A-label or the Unicode name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import F, OrderBy, Q, QuerySet
from django.db.models.functions import Collate

from accounts.models import Domain
from portfolio.coverage import verdict_rank

# PostgreSQL's ICU root collation: the Unicode Collation Algorithm's language-neutral order,
# so "bücher.example" sorts beside "bucher.example", not after "bz.example". SQLite (the
# quickstart) has no ICU: there names sort by code point.
UNICODE_COLLATION = "und-x-icu"


def _unicode_name() -> object:
    if connection.vendor == "postgresql":
        return Collate("unicode_name", UNICODE_COLLATION)
    return F("unicode_name")


@dataclass(frozen=True)
class Sort:
    label: str
    terms: tuple  # callables returning the ORDER BY terms, ascending


SORTS: dict[str, Sort] = {
    "name": Sort("Name", (_unicode_name,)),
    "verdict": Sort("Verdict (worst first)", (verdict_rank,)),
    "score": Sort("Score (lowest first)", (lambda: F("scan_score"),)),
    "failure_rate_7d": Sort("Failure rate, 7 days", (lambda: F("failure_rate_7d"),)),
    "last_report_at": Sort("Last report", (lambda: F("last_report_at"),)),
}
DEFAULT_SORT = "name"


def sort_key(value: str | None) -> tuple[str, bool] | None:
    """("score", descending?) for ``score`` / ``-score``; None for an unknown sort."""
    value = (value or DEFAULT_SORT).strip()
    descending = value.startswith("-")
    key = value.removeprefix("-")
    return (key, descending) if key in SORTS else None


def coverage_order(domains: QuerySet[Domain], key: str, *, descending: bool) -> QuerySet[Domain]:
    """Sort by ``SORTS[key]``, empty values last either way, then by name and id so that
    pages never repeat or skip a row."""
    terms: list[OrderBy] = []
    for term in SORTS[key].terms:
        expression = term()
        terms.append(
            expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
        )
    if key != "name":
        terms.append(_unicode_name().asc())
    terms.append(F("id").desc() if descending and key == "name" else F("id").asc())
    return domains.order_by(*terms)


def coverage_search(domains: QuerySet[Domain], text: str) -> QuerySet[Domain]:
    """Domains whose A-label or Unicode name contains every word of ``text``."""
    for word in (w for w in re.split(r"[\s,]+", text.strip()) if w):
        domains = domains.filter(Q(name__icontains=word) | Q(unicode_name__icontains=word))
    return domains


def coverage_page(domains: QuerySet[Domain], *, number: object, per_page: int) -> Page:
    """Page ``number`` (clamped to the pages there are) of ``domains``, keys first: only the
    narrow ordered keys are counted and sliced, then that page's full rows are loaded."""
    keys = Paginator(domains.values_list("pk", flat=True), per_page).get_page(number)
    ids = list(keys.object_list)
    rows = {row.pk: row for row in domains.order_by().filter(pk__in=ids)}
    keys.object_list = [rows[pk] for pk in ids if pk in rows]
    return keys
