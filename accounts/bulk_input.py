"""Reading the domain list of a bulk request from CSV text (pure)."""

from __future__ import annotations

import csv
import io

HEADER_NAMES = {"name", "domain", "domain_name", "domains"}


def parse_domain_csv(text: str) -> list[tuple[int, str]]:
    """``(line, name)``: the first column of each non-blank, non-comment row, with the line of
    the file it starts on (what a spreadsheet shows), so a bulk result names the real line.
    A header row is skipped.

    ``example.com``, ``name\\nexample.com`` and ``domain,tags\\nexample.com,eu`` all work.
    """
    names: list[tuple[int, str]] = []
    reader = csv.reader(io.StringIO(text))
    start = 1
    for index, row in enumerate(reader):
        line, start = start, reader.line_num + 1  # a quoted cell may span several lines
        if not row or not row[0].strip() or row[0].lstrip().startswith("#"):
            continue
        cell = row[0].strip()
        if index == 0 and cell.lower() in HEADER_NAMES:
            continue
        names.append((line, cell))
    return names
