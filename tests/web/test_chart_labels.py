"""The day labels under a stacked bar chart never collide (web.charts is pure)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from web.charts import Series, stacked_bars


def day_labels(count: int) -> list[str]:
    days = [date(2026, 11, 5) + timedelta(days=i) for i in range(count)]
    svg = stacked_bars(chart_id="c", title="t", days=days, series=[Series("ok", [1] * count)])
    texts = [p.split("</text>")[0] for p in svg.split('text-anchor="middle" fill="#5c6573">')]
    return [text for text in texts[1:] if text != "sessions"]  # the days, not the unit


def test_thirty_days_label_the_last_day_without_crowding_the_one_before():
    labels = day_labels(30)
    assert labels[0] == "05 Nov" and labels[-1] == "04 Dec"
    assert "03 Dec" not in labels  # one day before the last: the two labels would overlap


@pytest.mark.parametrize("count", [1, 7, 8, 14, 31, 90])
def test_any_period_labels_its_last_day_and_at_most_nine_days(count):
    labels = day_labels(count)
    assert 1 <= len(labels) <= 9
    assert labels[-1] == (date(2026, 11, 5) + timedelta(days=count - 1)).strftime("%d %b")
