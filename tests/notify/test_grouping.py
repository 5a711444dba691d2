"""One notification per shared cause (pure grouping)."""

from __future__ import annotations

from datetime import date

from notify.grouping import AlertItem, group_alerts

DAY = date(2026, 3, 2)


def _item(
    n: int, *, group_key="mx:mx.shared.example", type="failure_spike", day=DAY, sev="warning"
):
    return AlertItem(n, f"Client {n}", f"client{n}.example", type, sev, group_key, day, {})


def test_twenty_domains_failing_on_one_mx_on_one_day_are_one_notification():
    notifications = group_alerts([_item(n) for n in range(20)])

    assert len(notifications) == 1
    assert len(notifications[0].domains) == 20
    assert notifications[0].title == "Failure spike on MX host mx.shared.example: 20 domains"


def test_another_mx_another_type_or_another_day_is_another_notification():
    items = [
        _item(1),
        _item(2, group_key="mx:mx.other.example"),
        _item(3, type="new_result_type"),
        _item(4, day=date(2026, 3, 3)),
    ]

    assert len(group_alerts(items)) == 4


def test_alerts_without_a_shared_cause_are_sent_one_by_one():
    notifications = group_alerts([_item(1, group_key=""), _item(2, group_key="")])

    assert [n.domains for n in notifications] == [["client1.example"], ["client2.example"]]


def test_a_group_takes_its_worst_severity_and_worst_groups_come_first():
    notifications = group_alerts(
        [
            _item(1, group_key="mx:a"),
            _item(2, group_key="mx:b"),
            _item(3, group_key="mx:b", sev="critical"),
        ]
    )

    assert [(n.group_key, n.severity) for n in notifications] == [
        ("mx:b", "critical"),
        ("mx:a", "warning"),
    ]
