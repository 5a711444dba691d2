"""When a domain is scanned next (pure: no Django, no I/O).

Each domain owns a fixed slot inside its organization's interval, derived from its id, so
10,000 domains added in one bulk import spread evenly over the interval instead of all
coming due in the same beat round every day.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def slot_offset(domain_id: int, interval: timedelta) -> timedelta:
    """A stable offset in [0, interval) for this domain (hash, so neighbours do not cluster)."""
    digest = hashlib.blake2b(str(domain_id).encode(), digest_size=8).digest()
    seconds = int(interval.total_seconds())
    return timedelta(seconds=int.from_bytes(digest, "big") % seconds)


def next_scan_at(
    *, domain_id: int, interval_hours: int, after: datetime, not_before: datetime | None = None
) -> datetime:
    """The first slot of this domain strictly after ``after`` (and at or after ``not_before``).

    Without ``not_before`` it is at most one interval away. A scan made off the domain's slot
    (its first scan right after it was added, an on-demand scan) passes ``not_before = after +
    interval``: the slot just ahead would otherwise repeat that scan minutes later.
    """
    interval = timedelta(hours=interval_hours)
    phase = _EPOCH + slot_offset(domain_id, interval)
    floor = max(after, not_before - timedelta(microseconds=1)) if not_before else after
    periods = (floor - phase) // interval + 1
    candidate = phase + periods * interval
    return candidate if candidate > floor else candidate + interval


def chunks(items: list, size: int) -> Iterator[list]:
    """``items`` in consecutive slices of ``size`` (a round's chunks, a query's id batches)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
