"""What changed since the previous scan: the input of alerts."""

from __future__ import annotations

import pytest

from scans.changes import diff_results, subject_name


def result(verdict="pass", smtp_tls=("v=TLSRPTv1; rua=mailto:r@example.com",), mx=("mx1",), **sts):
    return {
        "verdict": verdict,
        "records": {"smtp_tls": list(smtp_tls)},
        "mx": {"hosts": list(mx)},
        "mta_sts": {"mode": sts.get("mode", "enforce"), "id": sts.get("id", "1")},
    }


def kinds(changes):
    return [(change.kind, change.subject, change.worse) for change in changes]


def test_a_first_scan_has_no_changes():
    assert diff_results(None, result()) == []


def test_an_unchanged_domain_has_no_changes():
    assert diff_results(result(), result()) == []


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (
            result(smtp_tls=()),
            result(),
            [("record_added", "smtp_tls", False)],
        ),
        (
            result(),
            result(verdict="fail", smtp_tls=()),
            [("verdict_changed", "verdict", True), ("record_removed", "smtp_tls", True)],
        ),
        (
            result(),
            result(smtp_tls=("v=TLSRPTv1; rua=mailto:other@example.com",)),
            [("record_changed", "smtp_tls", False)],
        ),
        (result(), result(mx=("mx2",)), [("record_changed", "mx", False)]),
        (
            result(verdict="warn"),
            result(verdict="pass"),
            [("verdict_changed", "verdict", False)],
        ),
        (
            result(),
            result(mode="testing"),
            [("mta_sts_mode_changed", "mta_sts.mode", True)],
        ),
        (result(), result(id="2"), [("mta_sts_id_changed", "mta_sts.id", False)]),
    ],
    ids=[
        "record added",
        "record removed and verdict worse",
        "record changed",
        "mx changed",
        "verdict better",
        "mta-sts enforce to testing",
        "mta-sts id",
    ],
)
def test_each_kind_of_change_is_recorded(before, after, expected):
    assert kinds(diff_results(before, after)) == expected


def test_a_dns_error_scan_is_not_read_as_every_record_removed():
    errored = result(verdict="error", smtp_tls=(), mx=())
    assert kinds(diff_results(result(), errored)) == [("verdict_changed", "verdict", False)]
    assert kinds(diff_results(errored, result())) == [("verdict_changed", "verdict", False)]


@pytest.mark.parametrize(
    ("subject", "named"),
    [
        ("smtp_tls", "TXT _smtp._tls.example.com"),
        ("mx", "MX example.com"),
        ("mta_sts", "TXT _mta-sts.example.com"),
        (
            "mta_sts.mode",
            "MTA-STS policy mode (https://mta-sts.example.com/.well-known/mta-sts.txt)",
        ),
        ("something_new", "something new"),
    ],
)
def test_each_change_subject_names_the_record_it_is_about(subject, named):
    assert subject_name(subject, "example.com") == named


def test_every_subject_diff_results_produces_has_a_name():
    before = {
        "verdict": "pass",
        "records": {"smtp_tls": ["a"], "mta_sts": ["x"]},
        "mx": {"hosts": ["mx1"]},
        "mta_sts": {"mode": "enforce", "id": "1"},
    }
    after = {
        "verdict": "fail",
        "records": {"smtp_tls": ["b"], "mta_sts": []},
        "mx": {"hosts": ["mx2"]},
        "mta_sts": {"mode": "testing", "id": "2"},
    }
    for change in diff_results(before, after):
        assert "example.com" in subject_name(change.subject, "example.com") or (
            change.subject == "verdict"
        )
