"""Which digests are due at a moment, and the back-off of failed sends (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from notify.digest_schedule import (
    MAX_ATTEMPTS,
    DigestWish,
    default_frequency,
    due_period,
    retry_at,
)

# 2026-12-07 is a Monday.
MONDAY_7 = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)


def wish(frequency="weekly", weekday=0, hour=7):
    return DigestWish(1, frequency, weekday, hour)


def test_a_weekly_digest_is_due_at_its_weekday_and_hour_and_covers_the_week_before():
    due = due_period(wish(), MONDAY_7 + timedelta(minutes=10))
    assert (due.period, due.start, due.end) == ("weekly", MONDAY_7 - timedelta(days=7), MONDAY_7)
    assert due.report_days == (
        MONDAY_7.date() - timedelta(days=7),
        MONDAY_7.date() - timedelta(days=1),
    )


def test_a_daily_digest_covers_the_day_before_its_hour():
    due = due_period(wish("daily", hour=6), datetime(2026, 12, 9, 6, 30, tzinfo=UTC))
    assert due.start == datetime(2026, 12, 8, 6, tzinfo=UTC)
    assert due.end == datetime(2026, 12, 9, 6, tzinfo=UTC)
    assert due.report_days == (due.end.date() - timedelta(days=1),) * 2


@pytest.mark.parametrize(
    "now",
    [
        MONDAY_7 - timedelta(seconds=1),  # not yet
        MONDAY_7 + timedelta(hours=6),  # too late: the catch-up window has passed
        MONDAY_7 + timedelta(days=3),  # another weekday
    ],
)
def test_a_weekly_digest_is_not_due_outside_its_slot(now):
    assert due_period(wish(), now) is None


def test_a_late_run_within_the_catch_up_window_still_sends():
    assert due_period(wish(), MONDAY_7 + timedelta(hours=5, minutes=59)).end == MONDAY_7


def test_off_is_never_due():
    assert due_period(wish("off"), MONDAY_7) is None


@pytest.mark.parametrize(
    ("role", "frequency"),
    [("owner", "weekly"), ("admin", "weekly"), ("member", "off"), ("viewer", "off")],
)
def test_default_frequency_by_role(role, frequency):
    assert default_frequency(role) == frequency


def test_failed_sends_back_off_and_are_given_up_after_the_last_attempt():
    delays = [retry_at(n, MONDAY_7) - MONDAY_7 for n in range(1, MAX_ATTEMPTS)]
    assert delays[0] == timedelta(minutes=5)
    assert all(later > earlier for earlier, later in pairwise(delays))
    assert retry_at(MAX_ATTEMPTS, MONDAY_7) is None
