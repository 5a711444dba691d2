"""Which alerts open, stay open and resolve (pure rules, hand-written facts)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core.vocabulary import Severity
from notify.alert_rules import AlertType, OpenAlert, reconcile, should_notify
from notify.report_alert_rules import (
    DayFailures,
    SilenceFacts,
    SilenceSettings,
    SpikeSettings,
    silence_conditions,
    spike_condition,
)
from notify.scan_alert_rules import ScanChangeFact, ScanFacts, scan_conditions

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


def _result(verdict="pass", *, record=True, gaps=(), sts=None, auth=(), mx=("mx.example.net",)):
    return {
        "domain": "example.org",
        "verdict": verdict,
        "gaps": list(gaps),
        "findings": [],
        "records": {"smtp_tls": ["v=TLSRPTv1; rua=mailto:r@example.org"] if record else []},
        "mx": {"hosts": list(mx)},
        "mta_sts": sts or {"status": "absent", "mode": None, "findings": []},
        "external_authorizations": list(auth),
    }


def _opened(conditions):
    return {(c.type, c.key) for c in conditions if c.opens}


def test_a_removed_record_opens_one_alert_not_a_verdict_alert_too():
    changes = [
        ScanChangeFact("record_removed", "smtp_tls", "v=TLSRPTv1; ...", "", True),
        ScanChangeFact("verdict_changed", "verdict", "pass", "fail", True),
    ]
    facts = ScanFacts(1, _result("fail", record=False), _result(), changes)

    conditions, evaluated = scan_conditions(facts)

    assert _opened(conditions) == {(AlertType.RECORD_REMOVED, "smtp_tls")}
    assert AlertType.VERDICT_WORSE in evaluated


def test_a_worse_verdict_alone_opens_a_verdict_alert():
    changes = [ScanChangeFact("verdict_changed", "verdict", "pass", "warn", True)]

    conditions, _ = scan_conditions(ScanFacts(1, _result("warn"), _result(), changes))

    assert _opened(conditions) == {(AlertType.VERDICT_WORSE, "verdict")}


def test_a_scan_that_could_not_tell_decides_nothing():
    conditions, evaluated = scan_conditions(ScanFacts(1, _result("error", record=False), _result()))

    assert conditions == [] and evaluated == frozenset()


def test_an_external_destination_that_lost_its_authorization_opens_an_alert():
    before = {"rua_host": "reports.vendor.example", "status": "authorized", "record_name": "x"}
    after = {**before, "status": "missing"}

    conditions, _ = scan_conditions(ScanFacts(1, _result(auth=[after]), _result(auth=[before])))

    assert _opened(conditions) == {(AlertType.EXTERNAL_UNAUTHORIZED, "reports.vendor.example")}


def _sts(status, mode, codes=(), served_by=""):
    return {
        "status": status,
        "mode": mode,
        "mx": ["mx.example.net"],
        "fetch": {"served_by": served_by, "error": "timeout" if codes else ""},
        "findings": [{"code": code} for code in codes],
    }


def test_an_unfetchable_policy_is_grouped_by_the_host_serving_it():
    previous = _result(sts=_sts("enforce", "enforce"))
    current = _result(
        sts=_sts("broken", None, ["mta_sts_policy_fetch_failed"], served_by="sts.msp.example")
    )

    conditions, _ = scan_conditions(ScanFacts(1, current, previous))

    [alert] = [c for c in conditions if c.opens]
    assert (alert.type, alert.severity) == (AlertType.MTA_STS_UNFETCHABLE, Severity.CRITICAL)
    assert alert.group_key == "mta-sts:sts.msp.example"


def test_mta_sts_mx_no_longer_covered_and_mode_downgrade_open_alerts():
    previous = _result(sts=_sts("enforce", "enforce"))
    current = _result(sts=_sts("testing", "testing", ["mta_sts_mx_not_covered"]))
    changes = [ScanChangeFact("mta_sts_mode_changed", "mta_sts.mode", "enforce", "testing", True)]

    conditions, _ = scan_conditions(ScanFacts(1, current, previous, changes))

    assert _opened(conditions) == {
        (AlertType.MTA_STS_MODE_CHANGED, "mode"),
        (AlertType.MTA_STS_MX_NOT_COVERED, "mx"),
    }


def test_reconcile_opens_touches_worsens_and_resolves():
    conditions, evaluated = scan_conditions(
        ScanFacts(
            1,
            _result("fail"),
            _result("warn"),
            [ScanChangeFact("verdict_changed", "verdict", "warn", "fail", True)],
        )
    )
    open_alerts = [
        OpenAlert(10, 1, "verdict_worse", "verdict", "warning"),
        OpenAlert(11, 1, "record_removed", "smtp_tls", "critical"),  # the record is back
        OpenAlert(12, 1, "failure_spike", "2026-03-09", "warning"),  # not a scan type
    ]

    result = reconcile(conditions, open_alerts, {1: evaluated})

    assert [alert_id for alert_id, _ in result.worsened] == [10]
    assert result.resolved == [11]
    assert result.opened == []


def test_spike_needs_both_the_floor_and_three_times_the_median():
    day = date(2026, 3, 9)
    history = {day - timedelta(days=n): 4 for n in range(1, 15)}
    causes = {("certificate-expired", "mx.shared.example"): 12}

    assert spike_condition(DayFailures(1, day, 12, causes), history, SpikeSettings()) is not None
    assert spike_condition(DayFailures(1, day, 11, causes), history, SpikeSettings()) is None
    assert spike_condition(DayFailures(1, day, 9, causes), {}, SpikeSettings()) is None
    spike = spike_condition(DayFailures(1, day, 12, causes), history, SpikeSettings())
    assert spike.group_key == "mx:mx.shared.example"


@pytest.mark.parametrize(
    ("last_report_days_ago", "published_days_ago", "expected"),
    [
        (2, 30, set()),
        (3, 30, {AlertType.REPORTS_STOPPED}),
        (None, 3, set()),
        (None, 4, {AlertType.NO_FIRST_REPORT}),
    ],
)
def test_silence(last_report_days_ago, published_days_ago, expected):
    facts = SilenceFacts(
        1,
        NOW - timedelta(days=last_report_days_ago) if last_report_days_ago else None,
        NOW - timedelta(days=published_days_ago),
        has_record=True,
    )

    conditions = silence_conditions(facts, NOW, SilenceSettings())

    assert {c.type for c in conditions} == expected


def test_mute_window_unless_worse():
    mute = timedelta(days=7)
    sent = NOW - timedelta(days=1)

    assert should_notify(
        severity="warning", notified_at=None, notified_severity="", now=NOW, mute=mute
    )
    assert not should_notify(
        severity="warning", notified_at=sent, notified_severity="warning", now=NOW, mute=mute
    )
    assert should_notify(
        severity="critical", notified_at=sent, notified_severity="warning", now=NOW, mute=mute
    )
    assert should_notify(
        severity="warning", notified_at=NOW - mute, notified_severity="warning", now=NOW, mute=mute
    )
