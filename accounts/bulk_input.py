"""Reading the domain list of a bulk request from CSV text (pure)."""

from __future__ import annotations

import csv
import io

HEADER_NAMES = {"name", "domain", "domain_name", "domains"}


def parse_domain_csv(text: str) -> list[str]:
    """The first column of each non-blank, non-comment row; a header row is skipped.

    ``example.com``, ``name\\nexample.com`` and ``domain,tags\\nexample.com,eu`` all work.
    """
    names: list[str] = []
    for index, row in enumerate(csv.reader(io.StringIO(text))):
        if not row or not row[0].strip() or row[0].lstrip().startswith("#"):
            continue
        cell = row[0].strip()
        if index == 0 and cell.lower() in HEADER_NAMES:
            continue
        names.append(cell)
    return names
