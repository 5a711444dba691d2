"""Each domain keeps a stable slot inside its interval, so scans spread out over the day."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scans.schedule import next_scan_at, slot_offset

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@given(
    domain_id=st.integers(min_value=1, max_value=10**9),
    hours=st.integers(min_value=1, max_value=168),
    minutes=st.integers(min_value=0, max_value=10**6),
)
def test_the_next_scan_is_after_now_and_at_most_one_interval_away(domain_id, hours, minutes):
    after = NOW + timedelta(minutes=minutes)
    due = next_scan_at(domain_id=domain_id, interval_hours=hours, after=after)
    assert after < due <= after + timedelta(hours=hours)


@given(domain_id=st.integers(min_value=1, max_value=10**9), hours=st.integers(1, 168))
def test_consecutive_scans_are_exactly_one_interval_apart(domain_id, hours):
    first = next_scan_at(domain_id=domain_id, interval_hours=hours, after=NOW)
    second = next_scan_at(domain_id=domain_id, interval_hours=hours, after=first)
    assert second - first == timedelta(hours=hours)


def test_ten_thousand_domains_added_at_once_spread_over_the_day():
    hours = Counter(
        next_scan_at(domain_id=pk, interval_hours=24, after=NOW).hour for pk in range(1, 10_001)
    )
    assert len(hours) == 24
    # An even spread puts ~417 in each hour; allow generous noise but no pile-up.
    assert max(hours.values()) < 2 * 10_000 / 24


@pytest.mark.parametrize("hours", [1, 24, 168])
def test_the_slot_is_stable_for_a_domain(hours):
    interval = timedelta(hours=hours)
    assert slot_offset(42, interval) == slot_offset(42, interval)
    assert timedelta(0) <= slot_offset(42, interval) < interval


@given(
    domain_id=st.integers(min_value=1, max_value=10**9),
    hours=st.integers(min_value=1, max_value=168),
    minutes=st.integers(min_value=0, max_value=10**6),
)
def test_a_scan_off_its_slot_is_followed_by_one_at_least_an_interval_later(
    domain_id, hours, minutes
):
    after = NOW + timedelta(minutes=minutes)
    interval = timedelta(hours=hours)
    due = next_scan_at(
        domain_id=domain_id, interval_hours=hours, after=after, not_before=after + interval
    )
    assert after + interval <= due < after + 2 * interval
    # ... and still on the domain's own slot, so the spread over the interval is kept
    tick = timedelta(microseconds=1)
    assert next_scan_at(domain_id=domain_id, interval_hours=hours, after=due - tick) == due
