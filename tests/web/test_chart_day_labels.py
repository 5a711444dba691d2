"""The day labels under a stacked bar chart never overlap."""

from __future__ import annotations

import re
from datetime import date, timedelta

from web.charts import Series, stacked_bars


def test_thirty_days_label_the_last_day_without_a_label_right_before_it():
    days = [date(2026, 11, 4) + timedelta(days=i) for i in range(30)]
    svg = stacked_bars(chart_id="c", title="t", days=days, series=[Series("s", [1] * 30)])
    labels = re.findall(r'text-anchor="middle" fill="#5c6573">(\d\d \w{3})</text>', svg)
    assert labels[-1] == "03 Dec"
    assert "02 Dec" not in labels
    assert labels[:2] == ["04 Nov", "08 Nov"]
