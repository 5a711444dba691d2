"""Which digests are due at a moment, and when a failed send is tried again (pure: no Django,
no I/O; ``now`` is a parameter).

A digest's slot is its hour (UTC) every day, or on its weekday every week; it covers the period
that ends at the slot. Only the latest slot is considered, and only for ``CATCH_UP`` after it:
a beat that was down for an hour still sends, a digest days late is stale news and is skipped
(the next one covers its own period).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

OFF, DAILY, WEEKLY = "off", "daily", "weekly"
CATCH_UP = timedelta(hours=6)
PERIOD_LENGTH = {DAILY: timedelta(days=1), WEEKLY: timedelta(days=7)}
# Retries of a failed send: 5 min, 15 min, 45 min, 2 h 15, then 6 h; given up after that.
FIRST_RETRY = timedelta(minutes=5)
MAX_RETRY_DELAY = timedelta(hours=6)
MAX_ATTEMPTS = 6


@dataclass(frozen=True)
class DigestWish:
    """What one recipient asked for (their preference, or the role's default)."""

    membership_id: int
    frequency: str  # off / daily / weekly
    weekday: int  # 0 = Monday
    hour: int  # 0-23, UTC


@dataclass(frozen=True)
class DuePeriod:
    membership_id: int
    period: str  # daily / weekly
    start: datetime
    end: datetime  # the slot: the digest is sent at or shortly after it

    @property
    def report_days(self) -> tuple:
        """The whole UTC days whose report figures the digest shows: those that end at or
        before the slot's day (reports for a day arrive the day after)."""
        last = self.end.date() - timedelta(days=1)
        return last - (PERIOD_LENGTH[self.period] - timedelta(days=1)), last


def default_frequency(role: str) -> str:
    """Owners and admins get a weekly digest unless they say otherwise; others opt in."""
    return WEEKLY if role in {"owner", "admin"} else OFF


def latest_slot(wish: DigestWish, now: datetime) -> datetime | None:
    """The most recent slot at or before ``now`` (None when the digest is off)."""
    if wish.frequency not in PERIOD_LENGTH:
        return None
    now = now.astimezone(UTC)
    slot = now.replace(hour=wish.hour, minute=0, second=0, microsecond=0)
    if slot > now:
        slot -= timedelta(days=1)
    if wish.frequency == WEEKLY:
        slot -= timedelta(days=(slot.weekday() - wish.weekday) % 7)
    return slot


def due_period(wish: DigestWish, now: datetime) -> DuePeriod | None:
    """The period to send now, if its slot passed less than ``CATCH_UP`` ago."""
    slot = latest_slot(wish, now)
    if slot is None or now - slot >= CATCH_UP:
        return None
    return DuePeriod(wish.membership_id, wish.frequency, slot - PERIOD_LENGTH[wish.frequency], slot)


def due_periods(wishes: Iterable[DigestWish], now: datetime) -> list[DuePeriod]:
    return [due for wish in wishes if (due := due_period(wish, now)) is not None]


def retry_at(attempts: int, failed_at: datetime) -> datetime | None:
    """When to try a send again after ``attempts`` failed ones (None: give up)."""
    if attempts >= MAX_ATTEMPTS:
        return None
    delay = min(FIRST_RETRY * 3 ** max(attempts - 1, 0), MAX_RETRY_DELAY)
    return failed_at + delay
