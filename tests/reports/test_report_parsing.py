"""parse_report: tolerances, strict refusals with their JSON path, compression and size limits."""

from __future__ import annotations

import copy
import gzip
import json
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from bench.bombs import zipped
from reports.report_parsing import ReportError, ReportTooLarge, parse_report

MiB = 1024 * 1024

VALID: dict[str, Any] = {
    "organization-name": "Example Inc.",
    "date-range": {
        "start-datetime": "2024-05-01T00:00:00Z",
        "end-datetime": "2024-05-01T23:59:59Z",
    },
    "contact-info": "tlsrpt@example.net",
    "report-id": "2024-05-01T00:00:00Z_example.com",
    "policies": [
        {
            "policy": {
                "policy-type": "sts",
                "policy-string": ["version: STSv1", "mode: enforce", "mx: mx.example.com"],
                "policy-domain": "example.com",
                "mx-host": ["mx.example.com"],
            },
            "summary": {"total-successful-session-count": 10, "total-failure-session-count": 2},
            "failure-details": [
                {
                    "result-type": "certificate-expired",
                    "sending-mta-ip": "192.0.2.1",
                    "receiving-mx-hostname": "mx.example.com",
                    "receiving-ip": "198.51.100.7",
                    "failed-session-count": 2,
                    "failure-reason-code": "X509_V_ERR_CERT_HAS_EXPIRED",
                }
            ],
        }
    ],
}
POLICY = "$.policies[0]"
DETAIL = "$.policies[0].failure-details[0]"


def encode(document: Any) -> bytes:
    return json.dumps(document).encode()


def edited(change: Callable[[dict[str, Any]], Any]) -> bytes:
    """VALID with one change applied to a deep copy."""
    document = copy.deepcopy(VALID)
    change(document)
    return encode(document)


def policy(document: dict[str, Any]) -> dict[str, Any]:
    return document["policies"][0]["policy"]


def summary(document: dict[str, Any]) -> dict[str, Any]:
    return document["policies"][0]["summary"]


def detail(document: dict[str, Any]) -> dict[str, Any]:
    return document["policies"][0]["failure-details"][0]


def dates(document: dict[str, Any]) -> dict[str, Any]:
    return document["date-range"]


def test_a_valid_report_parses_into_values() -> None:
    report = parse_report(encode(VALID))

    assert report.report_id == "2024-05-01T00:00:00Z_example.com"
    assert report.start == datetime(2024, 5, 1, tzinfo=UTC)
    assert report.end == datetime(2024, 5, 1, 23, 59, 59, tzinfo=UTC)
    (parsed,) = report.policies
    assert (parsed.policy_domain, parsed.successful_sessions, parsed.failed_sessions) == (
        "example.com",
        10,
        2,
    )
    assert parsed.failure_details[0].failure_reason_code == "X509_V_ERR_CERT_HAS_EXPIRED"
    assert report.repairs == ()


# (name, change, check on the parsed report, expected repair note or None)
TOLERATED: list[tuple[str, Callable[[dict], Any], Callable[[Any], Any], str | None]] = [
    (
        "mx-host as a string",
        lambda d: policy(d).update({"mx-host": "mx.example.com"}),
        lambda r: r.policies[0].mx_hosts == ("mx.example.com",),
        f"{POLICY}.policy.mx-host: a single string, not an array",
    ),
    (
        "mx-host absent",
        lambda d: policy(d).pop("mx-host"),
        lambda r: r.policies[0].mx_hosts == (),
        None,
    ),
    (
        "mx-host with an mx: prefix",
        lambda d: policy(d).update({"mx-host": ["mx: mx.example.com"]}),
        lambda r: r.policies[0].mx_hosts == ("mx.example.com",),
        f"{POLICY}.policy.mx-host: removed the 'mx:' prefix",
    ),
    (
        "failure-details absent",
        lambda d: d["policies"][0].pop("failure-details"),
        lambda r: r.policies[0].failure_details == (),
        None,
    ),
    (
        "failure-details null",
        lambda d: d["policies"][0].update({"failure-details": None}),
        lambda r: r.policies[0].failure_details == (),
        None,
    ),
    (
        "failure-details empty",
        lambda d: d["policies"][0].update({"failure-details": []}),
        lambda r: r.policies[0].failure_details == (),
        None,
    ),
    (
        "policy-string absent",
        lambda d: policy(d).pop("policy-string"),
        lambda r: r.policies[0].policy_strings == (),
        None,
    ),
    (
        "policy-string null",
        lambda d: policy(d).update({"policy-string": None}),
        lambda r: r.policies[0].policy_strings == (),
        None,
    ),
    (
        "TLSA policy-string as one JSON-encoded string",
        lambda d: policy(d).update(
            {"policy-type": "tlsa", "policy-string": ['["3 1 1 AB","3 1 1 CD"]']}
        ),
        lambda r: r.policies[0].policy_strings == ("3 1 1 AB", "3 1 1 CD"),
        f"{POLICY}.policy.policy-string: "
        "one string holding a JSON array; expanded into its records",
    ),
    (
        "end-datetime next-day 00:00:00Z",
        lambda d: dates(d).update({"end-datetime": "2024-05-02T00:00:00Z"}),
        lambda r: r.end == datetime(2024, 5, 2, tzinfo=UTC),
        None,
    ),
    (
        "fractional seconds",
        lambda d: dates(d).update({"end-datetime": "2024-05-01T23:59:59.9999999Z"}),
        lambda r: r.end == datetime(2024, 5, 1, 23, 59, 59, 999999, tzinfo=UTC),
        None,
    ),
    (
        "an offset instead of Z",
        lambda d: dates(d).update({"start-datetime": "2024-05-01T02:00:00+02:00"}),
        lambda r: r.start == datetime(2024, 5, 1, tzinfo=UTC),
        None,
    ),
    (
        "dates with no time zone",
        lambda d: dates(d).update({"start-datetime": "2024-05-01T00:00:00"}),
        lambda r: r.start == datetime(2024, 5, 1, tzinfo=UTC),
        "$.date-range.start-datetime: no time zone; read as UTC",
    ),
    (
        "receiving-ip, sending-mta-ip and receiving-mx-hostname missing",
        lambda d: [
            detail(d).pop(k) for k in ("receiving-ip", "sending-mta-ip", "receiving-mx-hostname")
        ],
        lambda r: r.policies[0].failure_details[0].sending_mta_ip == "",
        None,
    ),
    (
        "empty-string IPs",
        lambda d: detail(d).update({"receiving-ip": "", "sending-mta-ip": ""}),
        lambda r: r.policies[0].failure_details[0].receiving_ip == "",
        None,
    ),
    (
        "unknown result-type kept verbatim",
        lambda d: detail(d).update({"result-type": "Testing"}),
        lambda r: r.policies[0].failure_details[0].result_type == "Testing",
        None,
    ),
    (
        "details add up to more than the summary",
        lambda d: detail(d).update({"failed-session-count": 7}),
        lambda r: (
            (r.policies[0].failed_sessions, r.policies[0].failure_details[0].failed_session_count)
            == (2, 7)
        ),
        None,
    ),
    (
        "contact-info null",
        lambda d: d.update({"contact-info": None}),
        lambda r: r.contact_info == "",
        "$.contact-info: missing or null; left empty",
    ),
    (
        "draft-era failure-error-code",
        lambda d: detail(d).update({"failure-error-code": detail(d).pop("failure-reason-code")}),
        lambda r: (
            r.policies[0].failure_details[0].failure_reason_code == "X509_V_ERR_CERT_HAS_EXPIRED"
        ),
        f"{DETAIL}.failure-error-code: read as failure-reason-code",
    ),
    (
        "total-failure-session-count missing",
        lambda d: summary(d).pop("total-failure-session-count"),
        lambda r: r.policies[0].failed_sessions == 0,
        f"{POLICY}.summary.total-failure-session-count: missing; counted as 0",
    ),
    (
        "policy-domain missing",
        lambda d: policy(d).pop("policy-domain"),
        lambda r: (r.policies[0].policy_domain, r.policies[0].policy_domain_source) == ("", ""),
        f"{POLICY}.policy.policy-domain: missing; left empty for the storage layer to route",
    ),
    (
        "policy-domain upper case with a trailing dot",
        lambda d: policy(d).update({"policy-domain": "Example.COM."}),
        lambda r: r.policies[0].policy_domain == "example.com",
        None,
    ),
    (
        "policy-domain as a U-label",
        lambda d: policy(d).update({"policy-domain": "Bücher.Example"}),
        lambda r: r.policies[0].policy_domain == "xn--bcher-kva.example",
        f"{POLICY}.policy.policy-domain: converted to the A-label xn--bcher-kva.example",
    ),
    (
        "policy-domain that IDNA refuses",
        lambda d: policy(d).update({"policy-domain": "bü_cher.example"}),
        lambda r: r.policies[0].policy_domain == "bü_cher.example",
        f"{POLICY}.policy.policy-domain: not a valid IDN; kept lower-cased",
    ),
    (
        "a count written as 3.0",
        lambda d: summary(d).update({"total-successful-session-count": 3.0}),
        lambda r: r.policies[0].successful_sessions == 3,
        f"{POLICY}.summary.total-successful-session-count: was the float 3.0; read as an integer",
    ),
    (
        "a numeric failure-reason-code",
        lambda d: detail(d).update({"failure-reason-code": 123}),
        lambda r: r.policies[0].failure_details[0].failure_reason_code == "123",
        f"{DETAIL}.failure-reason-code: was a number; kept as text",
    ),
    (
        "unknown policy-type kept verbatim",
        lambda d: policy(d).update({"policy-type": "invalid-policy-type"}),
        lambda r: r.policies[0].policy_type == "invalid-policy-type",
        None,
    ),
]


@pytest.mark.parametrize(
    ("change", "check", "note"), [case[1:] for case in TOLERATED], ids=[c[0] for c in TOLERATED]
)
def test_real_sender_deviations_are_tolerated(change, check, note) -> None:
    report = parse_report(edited(change))

    assert check(report)
    if note is None:
        assert report.repairs == ()
    else:
        assert note in report.repairs


def test_a_utf8_byte_order_mark_is_removed_with_a_note() -> None:
    report = parse_report(b"\xef\xbb\xbf" + encode(VALID))

    assert report.repairs == ("$: removed a UTF-8 byte order mark",)


def test_repair_notes_are_capped() -> None:
    many = [{"result-type": "x", "failed-session-count": 1, "failure-error-code": "c"}] * 500
    report = parse_report(edited(lambda d: d["policies"][0].update({"failure-details": many})))

    assert len(report.repairs) == 51
    assert report.repairs[-1] == "$: 450 more repairs not listed"


def _set(getter: Callable[[dict], dict], key: str, value: Any) -> Callable[[dict], Any]:
    return lambda d: getter(d).update({key: value})


def _drop(getter: Callable[[dict], dict], key: str) -> Callable[[dict], Any]:
    return lambda d: getter(d).pop(key)


def _top(d: dict) -> dict:
    return d


COUNT = f"{POLICY}.summary.total-successful-session-count"
# (name, change, JSON path in the error, words in the reason)
REFUSED: list[tuple[str, Callable[[dict], Any], str, str]] = [
    ("report-id missing", _drop(_top, "report-id"), "$.report-id", "missing"),
    ("report-id empty", _set(_top, "report-id", " "), "$.report-id", "empty"),
    ("report-id a number", _set(_top, "report-id", 7), "$.report-id", "expected a string"),
    (
        "organization-name missing",
        _drop(_top, "organization-name"),
        "$.organization-name",
        "missing",
    ),
    ("date-range missing", _drop(_top, "date-range"), "$.date-range", "expected an object"),
    ("date-range an array", _set(_top, "date-range", []), "$.date-range", "expected an object"),
    ("start missing", _drop(dates, "start-datetime"), "$.date-range.start-datetime", "missing"),
    ("end missing", _drop(dates, "end-datetime"), "$.date-range.end-datetime", "missing"),
    (
        "date nonsense",
        _set(dates, "end-datetime", "yesterday"),
        "$.date-range.end-datetime",
        "RFC 3339",
    ),
    (
        "date only",
        _set(dates, "end-datetime", "2024-05-01"),
        "$.date-range.end-datetime",
        "RFC 3339",
    ),
    (
        "month 13",
        _set(dates, "end-datetime", "2024-13-01T00:00:00Z"),
        "$.date-range.end-datetime",
        "valid",
    ),
    (
        "date out of range in UTC",
        _set(dates, "start-datetime", "0001-01-01T00:00:00+01:00"),
        "$.date-range.start-datetime",
        "not a valid date-time",
    ),
    (
        "offset minutes over 59",
        _set(dates, "start-datetime", "2024-05-01T00:00:00+01:60"),
        "$.date-range.start-datetime",
        "not a valid date-time",
    ),
    (
        "non-ASCII digits",
        _set(dates, "start-datetime", "\u0662\u0660\u0662\u0664-05-01T00:00:00"),
        "$.date-range.start-datetime",
        "RFC 3339",
    ),
    (
        "date a number",
        _set(dates, "end-datetime", 1714521600),
        "$.date-range.end-datetime",
        "string",
    ),
    (
        "start after end",
        _set(dates, "start-datetime", "2024-05-02T00:00:00Z"),
        "$.date-range",
        "start-datetime is after end-datetime",
    ),
    ("policies missing", _drop(_top, "policies"), "$.policies", "missing"),
    ("policies empty", _set(_top, "policies", []), "$.policies", "no policies"),
    ("policies an object", _set(_top, "policies", {}), "$.policies", "expected an array"),
    ("policy entry a string", _set(_top, "policies", ["x"]), POLICY, "expected an object"),
    (
        "policy object missing",
        lambda d: d["policies"][0].pop("policy"),
        f"{POLICY}.policy",
        "missing",
    ),
    (
        "policy-type missing",
        _drop(policy, "policy-type"),
        f"{POLICY}.policy.policy-type",
        "missing",
    ),
    (
        "policy-domain a number",
        _set(policy, "policy-domain", 3),
        f"{POLICY}.policy.policy-domain",
        "string",
    ),
    (
        "policy-string of numbers",
        _set(policy, "policy-string", [1]),
        f"{POLICY}.policy.policy-string[0]",
        "string",
    ),
    ("summary missing", lambda d: d["policies"][0].pop("summary"), f"{POLICY}.summary", "missing"),
    ("success count missing", _drop(summary, "total-successful-session-count"), COUNT, "missing"),
    (
        "negative count",
        _set(summary, "total-successful-session-count", -1),
        COUNT,
        "non-negative integer",
    ),
    (
        "fractional count",
        _set(summary, "total-successful-session-count", 2.5),
        COUNT,
        "non-negative integer",
    ),
    ("boolean count", _set(summary, "total-successful-session-count", True), COUNT, "a boolean"),
    ("string count", _set(summary, "total-successful-session-count", "3"), COUNT, "the string"),
    (
        "huge count",
        _set(summary, "total-successful-session-count", 2**64),
        COUNT,
        "non-negative integer",
    ),
    (
        "failure-details an object",
        lambda d: d["policies"][0].update({"failure-details": {}}),
        f"{POLICY}.failure-details",
        "expected an array",
    ),
    (
        "detail a number",
        lambda d: d["policies"][0].update({"failure-details": [1]}),
        DETAIL,
        "object",
    ),
    ("result-type missing", _drop(detail, "result-type"), f"{DETAIL}.result-type", "missing"),
    (
        "detail count missing",
        _drop(detail, "failed-session-count"),
        f"{DETAIL}.failed-session-count",
        "missing",
    ),
    (
        "IP an object",
        _set(detail, "receiving-ip", {}),
        f"{DETAIL}.receiving-ip",
        "expected a string",
    ),
]


@pytest.mark.parametrize(
    ("change", "path", "words"), [case[1:] for case in REFUSED], ids=[c[0] for c in REFUSED]
)
def test_bad_reports_are_refused_naming_the_json_path(change, path, words) -> None:
    with pytest.raises(ReportError) as caught:
        parse_report(edited(change))

    assert caught.value.path == path
    assert words in caught.value.reason


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "not JSON"),
        (b"{", "not JSON"),
        (b"<html>", "not JSON"),
        (b'{"organization-name": "\xff"}', "not UTF-8"),
        (b"[]", "top level"),
        (b'"a report"', "top level"),
        (b"null", "top level"),
    ],
)
def test_bytes_that_are_not_a_json_object_are_refused_at_the_root(data, words) -> None:
    with pytest.raises(ReportError) as caught:
        parse_report(data)

    assert caught.value.path == "$"
    assert words in caught.value.reason


def test_a_gzipped_report_is_detected_by_its_magic_bytes() -> None:
    assert parse_report(gzip.compress(encode(VALID))) == parse_report(encode(VALID))


def test_concatenated_gzip_members_are_read_as_one_stream() -> None:
    raw = encode(VALID)
    data = gzip.compress(raw[:100]) + gzip.compress(raw[100:])

    assert parse_report(data) == parse_report(raw)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (gzip.compress(encode(VALID))[:-12], "truncated"),
        (b"\x1f\x8b" + b"\x00" * 30, "not valid gzip"),
        (gzip.compress(encode(VALID)) + b"junk", "unexpected bytes"),
    ],
    ids=["truncated", "bad header", "trailing junk"],
)
def test_broken_gzip_is_refused(data, words) -> None:
    with pytest.raises(ReportError, match=words):
        parse_report(data)


def test_a_zipped_report_is_read_from_its_first_json_member() -> None:
    data = zipped({"readme.txt": b"hello", "report.json": encode(VALID)})

    assert parse_report(data) == parse_report(encode(VALID))


def test_a_zipped_gzip_report_is_read_too() -> None:
    data = zipped({"report.json.gz": gzip.compress(encode(VALID))})

    assert parse_report(data) == parse_report(encode(VALID))


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (zipped({"a.txt": b"1", "b.txt": b"2"}), "none ends in .json"),
        (zipped({"r.json": encode(VALID)}, zipfile.ZIP_BZIP2), "compression method"),
        (b"PK\x03\x04" + b"\x00" * 40, "not a readable zip archive"),
    ],
    ids=["no json member", "bzip2", "garbage"],
)
def test_unusable_zip_archives_are_refused(data, words) -> None:
    with pytest.raises(ReportError, match=words):
        parse_report(data)


def test_compressed_input_over_the_limit_is_refused_before_reading_it() -> None:
    data = gzip.compress(encode(VALID))

    with pytest.raises(ReportTooLarge, match="TLSMON_REPORT_MAX_COMPRESSED"):
        parse_report(data, max_compressed=len(data) - 1)


def test_plain_json_over_the_decompressed_limit_is_refused() -> None:
    data = encode(VALID)

    with pytest.raises(ReportTooLarge, match="TLSMON_REPORT_MAX_DECOMPRESSED"):
        parse_report(data, max_decompressed=len(data) - 1)


def test_a_report_just_under_both_limits_is_accepted() -> None:
    data = gzip.compress(encode(VALID))

    assert parse_report(data, max_compressed=len(data), max_decompressed=len(encode(VALID)))


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """200 MiB of zeros as a ~200 KB gzip, built in 1 MiB steps so the test never holds it."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\x00" * MiB
    parts = [compressor.compress(block) for _ in range(200)]
    return b"".join([*parts, compressor.flush()])


@pytest.mark.parametrize("limit", [1 * MiB, 50 * MiB], ids=["1 MiB", "50 MiB (default)"])
def test_a_gzip_bomb_is_refused_without_inflating_it(gzip_bomb: bytes, limit: int) -> None:
    tracemalloc.start()
    began = time.perf_counter()
    try:
        with pytest.raises(ReportTooLarge):
            parse_report(gzip_bomb, max_decompressed=limit)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert time.perf_counter() - began < 5
    # At most the limit plus one chunk and bytearray slack, never the 200 MiB.
    assert peak < limit * 1.3 + 2 * MiB


def test_a_large_gzipped_report_is_inflated_in_chunks_and_read_whole() -> None:
    many = [copy.deepcopy(VALID["policies"][0]["failure-details"][0]) for _ in range(5000)]
    raw = edited(lambda d: d["policies"][0].update({"failure-details": many}))
    assert len(raw) > 3 * 256 * 1024
    data = gzip.compress(raw[:400_000]) + gzip.compress(raw[400_000:])

    report = parse_report(data)

    assert len(report.policies[0].failure_details) == 5000
    assert report == parse_report(raw)


def test_decompress_report_gives_the_json_bytes() -> None:
    from reports.report_decompress import decompress_report

    data = gzip.compress(encode(VALID))

    assert bytes(decompress_report(data, max_compressed=MiB, max_decompressed=MiB)) == encode(VALID)


def test_memoryview_input_is_accepted_and_other_types_refused() -> None:
    assert parse_report(memoryview(encode(VALID))).report_id == VALID["report-id"]
    with pytest.raises(ReportError, match="expected bytes"):
        parse_report(json.dumps(VALID))  # type: ignore[arg-type]
