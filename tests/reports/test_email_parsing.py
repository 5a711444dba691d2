"""extract_reports: headers and report parts out of real and hand-built report emails."""

from __future__ import annotations

import gzip
import json

import pytest

from reports.email_parsing import MailError, extract_reports
from reports.report_parsing import parse_report
from tests.reports.samples import SAMPLES_DIR

REPORT = {
    "organization-name": "Example Inc.",
    "date-range": {
        "start-datetime": "2024-05-01T00:00:00Z",
        "end-datetime": "2024-05-01T23:59:59Z",
    },
    "contact-info": "tlsrpt@sender.example",
    "report-id": "r-1",
    "policies": [
        {
            "policy": {"policy-type": "no-policy-found", "policy-domain": "example.com"},
            "summary": {"total-successful-session-count": 5, "total-failure-session-count": 0},
        }
    ],
}
REPORT_JSON = json.dumps(REPORT).encode()


def sample(relative: str) -> bytes:
    return (SAMPLES_DIR / relative).read_bytes()


def message(part_headers: str, body: bytes, *, top: str = "") -> bytes:
    """A multipart/report with a text part and one attachment part (LF line ends)."""
    head = (
        "From: reports@sender.example\n"
        "To: Token <abc123@reports.tlsmon.example>\n"
        "Subject: Report Domain: example.com Submitter: sender.example Report-ID: <r-1@x>\n"
        "Message-ID: <m1@sender.example>\n"
        f"{top}"
        'Content-Type: multipart/report; report-type=tlsrpt; boundary="B"\n'
        "MIME-Version: 1.0\n\n"
        "--B\nContent-Type: text/plain\n\nThis is a TLS report.\n"
        f"--B\n{part_headers}\n\n"
    )
    return head.encode() + body + b"\n--B--\n"


def test_report_headers_are_extracted() -> None:
    mail = extract_reports(sample("email-report-processor/report.elm"))

    assert mail.message_id == "<00000000000066453b05f3c8de51@google.com>"
    assert mail.report_domain == "blogreen.org"
    assert mail.submitter == "google.com"
    assert mail.recipients == ("romain@blogreen.org",)
    assert mail.subject.startswith("Report Domain: blogreen.org Submitter: google.com")


def test_a_leading_mbox_from_line_is_tolerated() -> None:
    data = b"From MAILER-DAEMON Fri Feb  3 12:09:01 2023\n" + sample("mox/example.eml")

    assert extract_reports(data) == extract_reports(sample("mox/example.eml"))


def test_a_folded_subject_is_unfolded() -> None:
    mail = extract_reports(sample("mail-auth/rpt02.eml"))

    assert mail.subject == (
        "Report Domain: example.net Submitter: mail.sender.example.com "
        "Report-ID: <735ff.e317+bf22029@example.net>"
    )


def test_unregistered_application_tlsrpt_with_raw_8bit_json_is_found() -> None:
    (part,) = extract_reports(sample("mail-auth/rpt02.eml")).attachments

    assert part.content_type == "application/tlsrpt"
    assert part.payload.lstrip().startswith(b"{")
    assert parse_report(part.payload).policies[0].successful_sessions == 23


def test_microsoft_html_part_is_skipped_and_the_filename_comes_from_content_disposition() -> None:
    (part,) = extract_reports(sample("tlsrpt-digest/tlsrpt_success_microsoft.eml")).attachments

    assert part.content_type == "application/tlsrpt+gzip"
    assert (
        part.filename
        == "microsoft.com!example.com!1778630400!1778716799!134232617934286362.json.gz"
    )
    assert part.payload[:2] == b"\x1f\x8b"


def test_the_body_wins_over_subject_and_filename() -> None:
    """GIVEN a Google wrapper whose Subject and file name say 2026-05-12
    WHEN its attachment is parsed
    THEN the dates come from the JSON body (2026-02-08), as RFC 8460 §5.6 says."""
    mail = extract_reports(sample("tlsrpt-digest/tlsrpt_failure.eml"))
    (part,) = mail.attachments
    report = parse_report(part.payload)

    assert "2026.05.12" in mail.subject and "1778544000" in part.filename
    assert (report.start.isoformat(), report.end.isoformat()) == (
        "2026-02-08T00:00:00+00:00",
        "2026-02-09T00:00:00+00:00",
    )


def test_crlf_messages_parse_like_lf_ones() -> None:
    crlf = sample("mox/example.eml")
    assert b"\r\n" in crlf

    assert extract_reports(crlf.replace(b"\r\n", b"\n")) == extract_reports(crlf)


@pytest.mark.parametrize(
    "part_headers",
    [
        "Content-Type: application/tlsrpt+gzip\nContent-Transfer-Encoding: base64",
        "Content-Type: application/gzip\nContent-Transfer-Encoding: base64",
        "Content-Type: application/x-gzip\nContent-Transfer-Encoding: base64",
        "Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64",
        'Content-Type: text/plain; name="r.json.gz"\nContent-Transfer-Encoding: base64',
        "Content-Type: text/plain\nContent-Disposition: attachment; filename=r.gz\n"
        "Content-Transfer-Encoding: base64",
    ],
    ids=["tlsrpt+gzip", "gzip", "x-gzip", "octet-stream", "name= only", "filename= only"],
)
def test_gzip_attachments_are_found_by_type_or_file_name(part_headers: str) -> None:
    import base64

    data = message(part_headers, base64.encodebytes(gzip.compress(REPORT_JSON)))
    (part,) = extract_reports(data).attachments

    assert gzip.decompress(part.payload) == REPORT_JSON


@pytest.mark.parametrize(
    "part_headers",
    ["Content-Type: application/tlsrpt+json", "Content-Type: application/json"],
)
def test_json_attachments_are_found(part_headers: str) -> None:
    (part,) = extract_reports(message(part_headers, REPORT_JSON)).attachments

    assert parse_report(part.payload).report_id == "r-1"


def test_a_report_forwarded_as_message_rfc822_is_found() -> None:
    inner = sample("mox/example.eml")
    outer = (
        b'From: a@b.example\nContent-Type: multipart/mixed; boundary="O"\n\n'
        b"--O\nContent-Type: text/plain\n\nFYI\n--O\nContent-Type: message/rfc822\n\n"
        + inner
        + b"\n--O--\n"
    )

    (part,) = extract_reports(outer).attachments
    assert part.content_type == "application/tlsrpt+gzip"


def test_recipients_come_from_envelope_and_visible_headers_lower_cased() -> None:
    top = "Delivered-To: Token@Reports.TLSMon.example\nCc: Other <OPS@Example.com>, x@y.example\n"
    mail = extract_reports(message("Content-Type: application/json", REPORT_JSON, top=top))

    assert mail.recipients == (
        "token@reports.tlsmon.example",
        "abc123@reports.tlsmon.example",
        "ops@example.com",
        "x@y.example",
    )


def test_a_message_without_a_report_part_has_no_attachments() -> None:
    mail = extract_reports(b"From: a@b.example\nSubject: hello\n\njust text\n")

    assert (mail.subject, mail.attachments) == ("hello", ())
    assert mail.report_domain == ""


def test_rfc2047_subjects_and_8bit_headers_are_decoded() -> None:
    data = b"Subject: =?utf-8?q?R=C3=A9port?= \xc3\xa9t\xff\n\nbody\n"

    assert extract_reports(data).subject == "Réport ét\ufffd"


def test_non_bytes_input_is_a_mail_error() -> None:
    with pytest.raises(MailError):
        extract_reports("not bytes")  # type: ignore[arg-type]
