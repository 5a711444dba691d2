"""reports.intake: the one place every channel receives and unpacks report bytes."""

from __future__ import annotations

import io
import zipfile

import pytest

from reports import bulk, intake, services
from reports.models import Channel, Submission, SubmissionStatus
from tests.factories import OrganizationFactory
from tests.reports.conftest import gz, report_address, report_json, sample_bytes, with_recipient

EMAIL = "mail-tls-rpt/email.eml"


def zipped(*members: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("payload", "channel"),
    [
        (report_json(), Channel.FILE),
        (gz(report_json()), Channel.FILE),
        (zipped(("r.json", report_json())), Channel.FILE),
        (sample_bytes(EMAIL), Channel.EMAIL),
    ],
    ids=["json", "gzip", "zip", "email"],
)
def test_a_payload_without_a_channel_is_a_report_file_or_an_email(payload, channel):
    assert intake.channel_of(payload) == channel


def test_unpack_names_each_unreadable_part_and_keeps_the_good_ones():
    archive = zipped(("good.json", report_json(report_id="good")), ("bad.json", b"{nope"))
    unpacked = intake.unpack(channel=Channel.FILE, source="upload", raw=archive)
    assert [(p.source, p.report is not None) for p in unpacked.parts] == [
        ("upload:good.json", True),
        ("upload:bad.json", False),
    ]
    assert intake.submission_outcome(unpacked.parts)[0] == SubmissionStatus.PARTIAL


@pytest.mark.django_db
def test_mail_is_for_the_first_recipient_with_a_known_token(org):
    raw = with_recipient(sample_bytes(EMAIL), "nobody@elsewhere.example")
    raw = with_recipient(raw, report_address(org))
    organization, recipients = intake.mail_organization(raw)
    assert organization == org
    assert recipients[0] == report_address(org)


@pytest.mark.django_db
def test_the_bulk_loader_and_one_submission_at_a_time_record_the_same_outcome(org):
    """Both paths unpack through intake.unpack: the same bytes get the same status and error."""
    archive = zipped(("good.json", report_json(report_id="good")), ("bad.json", b"{nope"))
    one = services.report_ingest_bytes(
        organization=org, payload=archive, channel=intake.channel_of(archive), source="a"
    )
    other = OrganizationFactory()
    many = bulk.reports_ingest_many(organization=other, items=[(archive, "a")])
    assert [r.error for r in one.rejected] == [r.error for r in many.rejected]
    outcomes = Submission.objects.order_by("organization_id").values_list("status", "error")
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == SubmissionStatus.PARTIAL
