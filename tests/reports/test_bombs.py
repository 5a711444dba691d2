"""Compressed bombs of every shape are refused cheaply: one budget of inflated bytes and CPU time
per delivery (all members, all layers), only stored/deflated zip members, bounded nesting."""

from __future__ import annotations

import gzip
import tracemalloc
import zipfile

import pytest

from bench.bombs import zipped
from reports.payloads import Limits, parse_email, parse_file
from reports.report_decompress import Budget
from reports.report_parsing import ReportTooLarge
from tests.reports.conftest import gz, report_json

MIB = 1024 * 1024
SMALL = Limits(max_compressed=10 * MIB, max_decompressed=4 * MIB)
DEFAULT = Limits(max_compressed=10 * MIB, max_decompressed=50 * MIB)  # the shipped defaults


def peak_while(function, *args, **kwargs):
    """(result, tracemalloc peak in bytes) of one call."""
    tracemalloc.start()
    try:
        result = function(*args, **kwargs)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module")
def zeros_40mib_deflated() -> bytes:
    return zipped({"report.json": bytes(40 * MIB)})


@pytest.mark.parametrize(
    ("method", "name"), [(zipfile.ZIP_BZIP2, "bzip2"), (zipfile.ZIP_LZMA, "LZMA")]
)
def test_bzip2_and_lzma_members_are_refused_before_inflating(method, name):
    bomb = zipped({"report.json": bytes(32 * MIB)}, method)
    assert len(bomb) < 64 * 1024
    (part,), peak = peak_while(parse_file, bomb, source="bomb", limits=SMALL)
    assert part.report is None
    assert f"compression method {name}" in str(part.error)
    assert "only stored and deflated" in str(part.error)
    assert peak < 2 * SMALL.max_decompressed


def test_nested_zip_of_20_members_of_40_mib_is_refused_over_the_whole_delivery(
    zeros_40mib_deflated,
):
    """GIVEN a zip holding 20 zips, each with one 40 MiB member (each alone under 50 MiB)
    WHEN it is parsed with the default limits THEN it is refused as too large once 50 MiB were
    inflated in all, and memory stays under twice the limit."""
    bomb = zipped({f"inner-{i}.zip": zeros_40mib_deflated for i in range(20)})
    parts, peak = peak_while(parse_file, bomb, source="bomb", limits=DEFAULT)
    errors = [p.error for p in parts]
    assert all(p.report is None for p in parts)
    assert any(isinstance(e, ReportTooLarge) and "in all" in str(e) for e in errors)
    assert len(parts) <= 3  # stops at the budget, not after 20 members
    assert peak < 2 * DEFAULT.max_decompressed


def test_gzip_in_zip_bomb_is_refused_over_the_whole_delivery():
    inner = gzip.compress(bytes(40 * MIB), compresslevel=9, mtime=0)
    bomb = zipped({f"r{i}.json.gz": inner for i in range(20)}, zipfile.ZIP_STORED)
    parts, peak = peak_while(parse_file, bomb, source="bomb", limits=DEFAULT)
    assert any(isinstance(p.error, ReportTooLarge) and "in all" in str(p.error) for p in parts)
    assert len(parts) <= 3
    assert peak < 2 * DEFAULT.max_decompressed


def test_attachments_of_one_email_share_one_budget():
    small = Limits(max_compressed=10 * MIB, max_decompressed=3 * MIB)
    attachment = gzip.compress(bytes(2 * MIB), mtime=0)  # each alone under the limit
    message = _email_with(attachment, attachment)
    unpacked = parse_email(message, source="mail", limits=small)
    assert isinstance(unpacked.parts[-1].error, ReportTooLarge)
    assert "in all" in str(unpacked.parts[-1].error)


def _email_with(*payloads: bytes) -> bytes:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "tlsrpt@sender.example"
    message["To"] = "reports@example.net"
    message["Subject"] = "Report Domain: example.com Submitter: sender.example Report-ID: <1@x>"
    message.set_content("human readable part")
    for index, payload in enumerate(payloads):
        message.add_attachment(
            payload,
            maintype="application",
            subtype="tlsrpt+gzip",
            filename=f"sender.example!example.com!1!2!{index}.json.gz",
        )
    message.replace_header("Content-Type", 'multipart/report; report-type="tlsrpt"')
    return message.as_bytes()


def test_archive_three_layers_deep_is_refused():
    third = gz(report_json())
    bomb = zipped({"inner.zip": zipped({"r.json.gz": third})})
    (part,) = parse_file(bomb, source="deep", limits=SMALL)
    assert "nested 3 deep" in str(part.error)


def test_a_gzipped_report_inside_a_zip_is_still_read():
    archive = zipped({"r.json.gz": gz(report_json(report_id="in-zip"))})
    (part,) = parse_file(archive, source="zip", limits=SMALL)
    assert part.report is not None and part.report.report_id == "in-zip"


def test_unpacking_stops_when_the_cpu_allowance_is_spent():
    members = {f"r{i}.json": report_json(report_id=f"r-{i}") for i in range(3000)}
    archive = zipped(members)
    limits = Limits(max_compressed=10 * MIB, max_decompressed=50 * MIB, max_cpu_seconds=0.02)
    parts = parse_file(archive, source="many", limits=limits)
    assert "s of CPU" in str(parts[-1].error)
    assert len(parts) < 3000


def test_budget_counts_the_clock_it_is_given():
    ticks = iter([0.0, 0.5, 2.0])
    budget = Budget(max_bytes=100, max_seconds=1.0, clock=lambda: next(ticks))
    budget.charge(10)
    with pytest.raises(ReportTooLarge, match="TLSMON_REPORT_MAX_CPU_SECONDS"):
        budget.charge(10)
