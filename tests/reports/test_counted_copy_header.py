"""What a user reads as "the report" is its counted copy, not the first delivery: a stranger who
sends a forged copy first (own contact, own period) loses the report's header and its raw JSON
as soon as a stronger copy counts, on the direct path and through the quarantine.

The genuine report is Google's real one (``tlsrpt-digest/tlsrpt_failure.eml``); the forgery
keeps its key (reporter, report-id, policy domain, type), drops the failures and names another
contact and period. Everything goes through the real intake (HTTPS POST, mail routing, DKIM).
"""

from __future__ import annotations

import gzip
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import domain_create
from reports import services
from reports.intake import original_report_json, submission_receive, unpack
from reports.models import Report, ReportPolicy, Submission
from reports.selectors import report_copies
from reports.storage import StoreItem, reports_store
from tests.reports.conftest import sample_bytes
from tests.reports.test_dkim import key, sender, signed  # noqa: F401 (fixtures)
from tests.reports.test_quarantine_copies import (
    GENUINE_EML,
    REPORT_ID,
    forged_mail,
    genuine_gz,
    mail_in,
    post,
)

pytestmark = pytest.mark.django_db
FORGED_CONTACT = "mailto:attacker@forger.example"


def genuine_json() -> bytes:
    return gzip.decompress(genuine_gz())


def forged_json(*, contact: str = FORGED_CONTACT) -> bytes:
    """The genuine key, no failures, the forger's contact and a shorter period."""
    document = json.loads(genuine_json())
    document["contact-info"] = contact
    document["date-range"]["end-datetime"] = "2026-02-08T12:00:00Z"
    policy = document["policies"][0]
    policy["summary"] = {"total-successful-session-count": 4525, "total-failure-session-count": 0}
    policy["failure-details"] = []
    return json.dumps(document).encode()


def header(report: Report) -> tuple[str, str, str]:
    return report.contact_info, report.start.isoformat(), report.end.isoformat()


GENUINE_HEADER = (
    "smtp-tls-reporting@google.com",
    "2026-02-08T00:00:00+00:00",
    "2026-02-09T00:00:00+00:00",
)


def test_a_genuine_post_after_a_forged_email_becomes_the_report(client, org, own, api_client):
    """GIVEN a forged unsigned email stored first WHEN Google's report is posted over HTTPS
    THEN the report's header, channel and downloadable JSON are the genuine delivery's; the
    forged bytes stay downloadable as a conflicting copy, and the copies list says so."""
    own(org, "example.com")
    mail_in(org, forged_mail(org, forged_json()))
    report = Report.objects.get(organization=org)
    assert report.contact_info == FORGED_CONTACT  # until something stronger comes
    assert post(client, org, genuine_gz(), "application/tlsrpt+gzip").json()["conflicts"] == 1

    report.refresh_from_db()
    https = Submission.objects.get(organization=org, channel="https")
    email = Submission.objects.get(organization=org, channel="email")
    assert header(report) == GENUINE_HEADER
    assert (report.submission_id, report.received_at) == (https.pk, https.received_at)
    assert original_report_json(report) == genuine_json()
    assert original_report_json(report, submission=email) == forged_json()

    reader = api_client(org)
    detail = reader.get(f"/api/v1/reports/{report.pk}/").json()
    assert (detail["contact_info"], detail["start"], detail["end"], detail["channel"]) == (
        "smtp-tls-reporting@google.com",
        "2026-02-08T00:00:00Z",
        "2026-02-09T00:00:00Z",
        "https",
    )
    assert detail["failed_sessions"] == 2
    listed = reader.get("/api/v1/reports/").json()["results"]
    assert [r["contact_info"] for r in listed] == ["smtp-tls-reporting@google.com"]
    raw = reader.get(f"/api/v1/reports/{report.pk}/raw/")
    assert json.loads(raw.content) == json.loads(genuine_json())
    forged_copy = reader.get(f"/api/v1/reports/{report.pk}/raw/", {"copy": email.pk})
    assert json.loads(forged_copy.content)["contact-info"] == FORGED_CONTACT

    copies = report_copies(report)
    assert [
        (c.submission_id, c.channel, c.provenance, c.counted, c.stands_for_report) for c in copies
    ] == [(https.pk, "https", "https", True, True), (email.pk, "email", "unsigned", False, False)]
    assert all(c.raw_available for c in copies)


def test_a_copy_of_another_report_cannot_be_downloaded_through_this_one(
    client, org, own, other_org, api_client
):
    """``?copy=`` only reaches deliveries that carried this report: not another report's, not
    another tenant's (404, nothing leaked)."""
    own(org, "example.com")
    own(other_org, "example.com")
    post(client, org, genuine_gz(), "application/tlsrpt+gzip")
    post(client, other_org, forged_json())
    report = Report.objects.get(organization=org)
    theirs = Submission.objects.get(organization=other_org)
    reader = api_client(org)
    url = f"/api/v1/reports/{report.pk}/raw/"
    assert reader.get(url, {"copy": theirs.pk}).status_code == 404
    bad = reader.get(url, {"copy": "x"})  # not a number: a 400 that names the parameter
    assert bad.status_code == 400 and "copy" in bad.json()["fields"]
    assert reader.get(url).status_code == 200


def test_a_weaker_copy_arriving_later_leaves_the_header_alone(client, org, own):
    """GIVEN the genuine report posted over HTTPS WHEN a forged unsigned email follows
    THEN it is kept as a conflict but the report still reads as the genuine one."""
    own(org, "example.com")
    post(client, org, genuine_gz(), "application/tlsrpt+gzip")
    assert mail_in(org, forged_mail(org, forged_json())).conflicts == 1
    report = Report.objects.get(organization=org)
    assert header(report) == GENUINE_HEADER
    assert report.submission.channel == "https"
    assert original_report_json(report) == genuine_json()


def test_a_dkim_signed_genuine_email_takes_the_report_over_from_a_forged_post(
    client,
    org,
    own,
    sender,  # noqa: F811
    key,  # noqa: F811
    settings,
):
    """GIVEN TLSMON_REPORT_DKIM=require and a forged copy posted over HTTPS first WHEN the real
    report email arrives DKIM-signed THEN its header and its attachment's JSON are the report."""
    settings.TLSMON_REPORT_DKIM = "require"
    own(org, "example.com")
    post(client, org, forged_json())
    summary = mail_in(org, signed(sample_bytes(GENUINE_EML), sender, key))
    assert summary.conflicts == 1
    report = Report.objects.get(organization=org)
    assert header(report) == GENUINE_HEADER
    assert report.submission.channel == "email"
    assert original_report_json(report) == genuine_json()
    assert ReportPolicy.objects.get(counted=True).provenance == 3


def test_through_the_quarantine_the_report_is_created_with_the_genuine_header(
    client, org, api_client
):
    """GIVEN a forged unsigned email and later the genuine POST, both quarantined (example.com
    not added yet) WHEN the domain is added and the quarantine reprocessed (both copies in one
    batch, the forged one first) THEN the new report carries the genuine header and JSON."""
    mail_in(org, forged_mail(org, forged_json()))
    post(client, org, genuine_gz(), "application/tlsrpt+gzip")
    assert not Report.objects.filter(organization=org).exists()

    domain_create(organization=org, name="example.com")
    summary = api_client(org, write=True).post("/api/v1/quarantine/reprocess/").json()
    assert (summary["accepted"], summary["conflicts"]) == (1, 1)
    report = Report.objects.get(organization=org, report_id=REPORT_ID)
    https = Submission.objects.get(organization=org, channel="https")
    assert header(report) == GENUINE_HEADER
    assert (report.submission_id, report.received_at) == (https.pk, https.received_at)
    assert original_report_json(report) == genuine_json()
    detail = api_client(org).get(f"/api/v1/reports/{report.pk}/").json()
    assert (detail["contact_info"], detail["end"]) == (
        "smtp-tls-reporting@google.com",
        "2026-02-09T00:00:00Z",
    )


def test_a_reprocessed_genuine_copy_takes_over_a_report_the_forgery_created(client, org):
    """GIVEN the genuine POST quarantined (example.com not added yet), then the domain added and
    a forged unsigned email stored directly (the report row is the forger's) WHEN the quarantine
    is reprocessed THEN the stored report's header moves to the genuine, stronger delivery."""
    post(client, org, genuine_gz(), "application/tlsrpt+gzip")
    domain_create(organization=org, name="example.com")
    mail_in(org, forged_mail(org, forged_json()))
    report = Report.objects.get(organization=org)
    assert report.contact_info == FORGED_CONTACT
    assert services.quarantine_reprocess(organization=org).conflicts == 1
    report.refresh_from_db()
    assert header(report) == GENUINE_HEADER
    assert report.submission.channel == "https"
    assert original_report_json(report) == genuine_json()


def _deliveries(org, count: int) -> list[StoreItem]:
    """``count`` reports, each first delivered forged (stored), then genuine (returned)."""
    items = []
    for n in range(count):
        for body, channel in ((forged_json(), "file"), (genuine_json(), "https")):  # ranks 1, 2
            document = json.loads(body)
            document["report-id"] = f"{REPORT_ID}-{n}"
            raw = json.dumps(document).encode()
            sub, _ = submission_receive(organization=org, payload=raw, channel=channel, source="t")
            parts = unpack(channel=channel, source="t", raw=raw).parts
            items.append(StoreItem(parts[0].report, sub, "t"))
    forged = items[0::2]
    reports_store(organization=org, items=forged)
    return items[1::2]


def test_moving_headers_costs_the_same_queries_for_one_report_or_many(org, own):
    """Header moves are one bulk update per batch, not one query per report."""
    own(org, "example.com")
    one = _deliveries(org, 1)
    with CaptureQueriesContext(connection) as single:
        reports_store(organization=org, items=one)
    Report.objects.all().delete()
    many = _deliveries(org, 5)
    with CaptureQueriesContext(connection) as batch:
        reports_store(organization=org, items=many)
    assert len(batch) == len(single)
    contacts = set(Report.objects.values_list("contact_info", flat=True))
    assert contacts == {"smtp-tls-reporting@google.com"}
