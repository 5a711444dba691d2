"""Property tests: whatever the input, the parsers answer with a value or their own error type."""

from __future__ import annotations

import contextlib
import copy
import gzip
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.email_parsing import MailError, MailReports, extract_reports
from reports.report_parsing import Report, ReportError, parse_report
from tests.reports.samples import rebuilt_by_constructors
from tests.reports.test_report_parsing import VALID

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=30,
)


def dumps(value: Any) -> bytes:
    """JSON bytes; integers beyond 64 bits stay as digits, as a hostile sender would write them."""
    return json.dumps(value).encode()


def parse_or_refuse(data: bytes) -> None:
    try:
        result = parse_report(data)
    except ReportError:
        return
    assert isinstance(result, Report)


@SETTINGS
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_give_a_report_or_a_report_error(data: bytes) -> None:
    parse_or_refuse(data)


@SETTINGS
@given(st.binary(max_size=500))
def test_arbitrary_bytes_behind_gzip_magic_give_a_report_or_a_report_error(data: bytes) -> None:
    parse_or_refuse(b"\x1f\x8b" + data)
    parse_or_refuse(b"PK\x03\x04" + data)


@SETTINGS
@given(json_values)
def test_arbitrary_json_values_give_a_report_or_a_report_error(value: Any) -> None:
    parse_or_refuse(dumps(value))


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key/index path inside a JSON value."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


VALID_PATHS = paths(VALID)


@st.composite
def mutated_reports(draw: st.DrawFn) -> Any:
    """VALID with a few of its keys dropped or their values replaced by arbitrary JSON."""
    document = copy.deepcopy(VALID)
    for path in draw(st.lists(st.sampled_from(VALID_PATHS), min_size=1, max_size=3)):
        parent: Any = document
        try:
            for step in path[:-1]:
                parent = parent[step]
            if draw(st.booleans()) and isinstance(parent, dict):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = draw(json_values)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation already removed or replaced this branch
    return document


@SETTINGS
@given(mutated_reports(), st.booleans())
def test_mutated_valid_reports_give_a_report_or_a_report_error(document: Any, zipped: bool) -> None:
    data = dumps(document)
    parse_or_refuse(gzip.compress(data) if zipped else data)


@SETTINGS
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_never_break_extract_reports(data: bytes) -> None:
    with contextlib.suppress(MailError):
        assert isinstance(extract_reports(data), MailReports)


header_lines = st.sampled_from(
    [
        b"Content-Type: multipart/report; report-type=tlsrpt; boundary=B\n",
        b"Content-Type: application/tlsrpt+gzip\n",
        b"Content-Transfer-Encoding: base64\n",
        b"Content-Transfer-Encoding: quoted-printable\n",
        b"Content-Disposition: attachment; filename*=utf-8''r%ff.json.gz\n",
        b"Subject: =?bogus?b?!!?= =?utf-8?q?=FF?=\n",
        b'To: <a@b>, "x" <@@>, ;;\n',
        b"Delivered-To: \xff@\xfe\n",
        b"\n",
        b"--B\n",
        b"--B--\n",
    ]
)


@SETTINGS
@given(st.lists(header_lines | st.binary(max_size=40), max_size=25))
def test_mime_shaped_noise_never_breaks_extract_reports(lines: list[bytes]) -> None:
    try:
        mail = extract_reports(b"".join(lines))
    except MailError:
        return
    for part in mail.attachments:
        parse_or_refuse(part.payload)


def outcome(data: bytes) -> Report | str:
    try:
        return parse_report(data)
    except ReportError as error:
        return str(error)


@SETTINGS
@given(mutated_reports())
def test_whatever_parses_is_what_the_constructors_build(document: Any) -> None:
    """The parser builds its frozen values without their ``__init__`` (``_frozen``); whatever
    a mutated report turns into must equal and hash like the constructor-built value."""
    result = outcome(dumps(document))
    if isinstance(result, Report):
        rebuilt = rebuilt_by_constructors(result)
        assert (result, hash(result)) == (rebuilt, hash(rebuilt))


@SETTINGS
@given(
    st.from_regex(
        r"\A\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:?\d{2})?\Z"
    ),
)
def test_date_shaped_strings_give_a_report_or_a_report_error(moment: str) -> None:
    document = copy.deepcopy(VALID)
    document["date-range"] = {"start-datetime": moment, "end-datetime": moment}
    parse_or_refuse(dumps(document))
