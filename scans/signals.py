"""Signals scanning sends, so apps above it (alerts in ``notify``) can act on new scans
without scans importing them (docs/architecture.md: scans imports no app above it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.dispatch import Signal

from scans.changes import Change


@dataclass(frozen=True)
class StoredScan:
    """One finished scan of a chunk, with the result before it (``None``: first scan) and the
    changes between them, as the store computed them."""

    scan_id: int
    domain_id: int
    organization_id: int
    result: Mapping[str, Any]
    previous: Mapping[str, Any] | None
    changes: Sequence[Change]


# Sent once a chunk's scans are committed; ``stored``: a list of ``StoredScan``.
scans_stored = Signal()
