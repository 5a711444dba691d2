"""Reading the domain list of a bulk request from CSV text (pure)."""

from __future__ import annotations

import csv
import io
from typing import NamedTuple

HEADER_NAMES = {"name", "domain", "domain_name", "domains"}


class DomainRow(NamedTuple):
    line: int  # the file line the row starts on (what a spreadsheet shows)
    name: str
    tags: tuple[str, ...]  # the row's further non-empty cells


def parse_domain_rows(text: str) -> list[DomainRow]:
    """Every non-blank, non-comment row: the name in the first column and the other cells as
    that row's tags. A header row (``domain,tags``) is skipped. One name per line is a CSV
    with one column, so both forms read the same."""
    rows: list[DomainRow] = []
    reader = csv.reader(io.StringIO(text))
    start = 1
    for index, row in enumerate(reader):
        line, start = start, reader.line_num + 1  # a quoted cell may span several lines
        if not row or not row[0].strip() or row[0].lstrip().startswith("#"):
            continue
        cell = row[0].strip()
        if index == 0 and cell.lower() in HEADER_NAMES:
            continue
        tags = tuple(dict.fromkeys(c.strip() for c in row[1:] if c.strip()))
        rows.append(DomainRow(line, cell, tags))
    return rows


def parse_domain_csv(text: str) -> list[tuple[int, str]]:
    """``(line, name)``: the first column of each row of ``parse_domain_rows``.

    ``example.com``, ``name\\nexample.com`` and ``domain,tags\\nexample.com,eu`` all work.
    """
    return [(row.line, row.name) for row in parse_domain_rows(text)]
