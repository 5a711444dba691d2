"""Quarantine keeps every copy of a report key, as stored reports do: a stranger who posts a
forged copy for a domain the tenant has not added yet cannot make the genuine report a
"duplicate". Once the domain is added, the strongest copy counts and the forged one is kept,
shown as a conflicting copy (API and admin).

The genuine report is a real one (Google's, ``tlsrpt-digest/tlsrpt_failure.eml``: 4523
sessions, 2 ``certificate-expired``); the forgery claims the same reporter, report-id, policy
domain and type, with the failures removed. Everything goes through the real intake: HTTPS
POSTs to ``/tlsrpt/<token>/`` and the mail path routed by the report address.
"""

from __future__ import annotations

import gzip
import json
from email.message import EmailMessage

import pytest

from accounts.services import domain_create
from reports import services
from reports.email_parsing import extract_reports
from reports.models import QuarantinedPolicy, Report, ReportPolicy, Submission
from tests.reports.conftest import report_address, sample_bytes, with_recipient
from tests.reports.test_conflicts import figures
from tests.reports.test_dkim import key, sender, signed  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
GENUINE_EML = "tlsrpt-digest/tlsrpt_failure.eml"
REPORT_ID = "2026-02-08T00:00:00Z_example.com"


def genuine_gz() -> bytes:
    """The report attachment of the real email, as Google sent it (gzip)."""
    (attachment,) = extract_reports(sample_bytes(GENUINE_EML)).attachments
    return attachment.payload


def forged() -> bytes:
    """The genuine report's key with the failures taken out (what a stranger would post)."""
    document = json.loads(gzip.decompress(genuine_gz()))
    policy = document["policies"][0]
    policy["summary"] = {"total-successful-session-count": 4525, "total-failure-session-count": 0}
    policy["failure-details"] = []
    return json.dumps(document).encode()


def post(client, org, body: bytes, content_type: str = "application/tlsrpt+json"):
    return client.post(f"/tlsrpt/{org.report_token}/", body, content_type=content_type)


def forged_mail(org, body: bytes) -> bytes:
    """An unsigned email carrying ``body``, addressed to ``org``'s report address."""
    message = EmailMessage()
    message["From"] = "noreply-smtp-tls-reporting@google.com"
    message["To"] = report_address(org)
    message["Subject"] = "Report Domain: example.com Submitter: google.com"
    message.set_content("This is an aggregate TLS report.")
    message.add_attachment(
        body, maintype="application", subtype="tlsrpt+json", filename="report.json"
    )
    return message.as_bytes().replace(b"\n", b"\r\n")


def mail_in(org, raw: bytes):
    """Deliver ``raw`` the way the mailbox poller does: routed by its recipient."""
    return services.mail_ingest(raw_message=with_recipient(raw, report_address(org)), source="t")


def copies(org) -> list[tuple[int, int, str]]:
    """(failed, provenance, channel) of each quarantined copy, oldest first."""
    rows = QuarantinedPolicy.objects.filter(organization=org).select_related("submission")
    return [
        (q.policy["failed_sessions"], q.provenance, q.submission.channel)
        for q in rows.order_by("id")
    ]


def test_the_genuine_post_after_a_forged_email_is_kept_and_counts_once_the_domain_is_added(
    client, org, api_client
):
    """GIVEN a forged unsigned email for example.com (not monitored yet) delivered first
    WHEN Google's real report is posted over HTTPS, then example.com is added and reprocessed
    THEN the genuine copy's 2 failures are the ones counted and the forgery is a visible
    conflicting copy."""
    assert mail_in(org, forged_mail(org, forged())).quarantined == 1
    response = post(client, org, genuine_gz(), "application/tlsrpt+gzip")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["quarantined"], body["conflicts"]) == ("accepted", 1, 1)
    assert copies(org) == [(0, 1, "email"), (2, 2, "https")]
    writer = api_client(org, write=True)
    listed = writer.get("/api/v1/quarantine/", {"open": "true"}).json()["results"]
    assert sorted((q["report_id"], q["provenance"]) for q in listed) == [
        (REPORT_ID, "https"),
        (REPORT_ID, "unsigned"),
    ]

    domain_create(organization=org, name="example.com")
    reprocessed = writer.post("/api/v1/quarantine/reprocess/").json()
    assert (reprocessed["accepted"], reprocessed["conflicts"]) == (1, 1)
    counted = ReportPolicy.objects.get(organization=org, counted=True)
    assert (counted.failed, counted.provenance) == (2, 2)
    assert figures(org)["domain_totals"] == [(counted.day, 4523, 2)]
    assert figures(org)["org_failures"] == [(counted.day, "certificate-expired", 2)]
    assert not QuarantinedPolicy.objects.filter(organization=org, resolved_at=None).exists()

    reader = api_client(org)
    (listed,) = reader.get("/api/v1/reports/", {"has_conflicts": "true"}).json()["results"]
    assert (listed["report_id"], listed["failed_sessions"]) == (REPORT_ID, 2)
    (conflict,) = reader.get(f"/api/v1/reports/{listed['id']}/").json()["conflicts"]
    assert [(c["counted"], c["failed"], c["provenance"]) for c in conflict["copies"]] == [
        (True, 2, "https"),
        (False, 0, "unsigned"),
    ]


def test_a_dkim_signed_genuine_email_outranks_a_forged_post_that_came_later(
    client,
    org,
    sender,  # noqa: F811
    key,  # noqa: F811
    settings,
    admin_client,
):
    """GIVEN TLSMON_REPORT_DKIM=require and the real report email, DKIM-signed, quarantined
    first WHEN a forged copy is posted over HTTPS later and the operator reprocesses only the
    forged row from the admin THEN the signed copy counts although it is the older one."""
    settings.TLSMON_REPORT_DKIM = "require"
    genuine = signed(sample_bytes(GENUINE_EML), sender, key)
    assert mail_in(org, genuine).quarantined == 1
    assert post(client, org, forged()).json()["conflicts"] == 1
    assert copies(org) == [(2, 3, "email"), (0, 2, "https")]

    domain_create(organization=org, name="example.com")
    forged_row = QuarantinedPolicy.objects.get(organization=org, provenance=2)
    page = admin_client.post(
        "/admin/reports/quarantinedpolicy/",
        {"action": "reprocess", "_selected_action": [forged_row.pk]},
    )
    assert page.status_code == 302
    counted = ReportPolicy.objects.get(organization=org, counted=True)
    assert (counted.failed, counted.provenance) == (2, 3)
    assert counted.submission.channel == "email"
    assert figures(org)["domain_totals"] == [(counted.day, 4523, 2)]
    listing = admin_client.get("/admin/reports/report/", {"conflicts": "yes"})
    assert listing.context["cl"].result_list[0].conflicting_copies == 1


def test_identical_content_twice_into_quarantine_stays_one_copy(client, org):
    """The same bytes again, and the same content in other bytes, are duplicates."""
    assert post(client, org, genuine_gz(), "application/tlsrpt+gzip").status_code == 201
    again = post(client, org, genuine_gz(), "application/tlsrpt+gzip")
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    other_bytes = json.dumps(json.loads(gzip.decompress(genuine_gz())), indent=2).encode()
    assert post(client, org, other_bytes).json()["status"] == "duplicate"
    assert copies(org) == [(2, 2, "https")]

    domain_create(organization=org, name="example.com")
    summary = services.quarantine_reprocess(organization=org)
    assert (summary.accepted, summary.conflicts) == (1, 0)
    assert ReportPolicy.objects.get(organization=org).failed == 2


def test_a_stronger_delivery_of_the_same_content_takes_over_the_quarantined_copy(client, org):
    """Identical content by an unsigned email, then over HTTPS: still one copy, now ranked
    HTTPS and pointing at the HTTPS delivery (whose raw body retention must keep)."""
    mail_in(org, forged_mail(org, forged()))
    assert post(client, org, forged()).json()["status"] == "duplicate"
    row = QuarantinedPolicy.objects.get(organization=org)
    https = Submission.objects.get(organization=org, channel="https")
    assert (row.provenance, row.submission_id, row.received_at) == (
        2,
        https.pk,
        https.received_at,
    )


def test_a_reprocessed_copy_keeps_its_own_arrival_against_a_copy_stored_directly(client, org):
    """GIVEN a forged copy quarantined, the domain added, and the genuine copy then posted
    (stored at once) WHEN the quarantine is reprocessed afterwards THEN the forgery ranks by
    when it arrived (earlier, same channel), not when it was reprocessed: the genuine counts."""
    post(client, org, forged())
    domain_create(organization=org, name="example.com")
    assert post(client, org, genuine_gz(), "application/tlsrpt+gzip").status_code == 201
    summary = services.quarantine_reprocess(organization=org)
    assert (summary.accepted, summary.conflicts) == (0, 1)
    assert ReportPolicy.objects.get(organization=org, counted=True).failed == 2
    assert ReportPolicy.objects.filter(organization=org).count() == 2


def test_before_the_domain_is_added_a_reprocess_leaves_both_copies_open(client, org):
    post(client, org, forged())
    post(client, org, genuine_gz(), "application/tlsrpt+gzip")
    summary = services.quarantine_reprocess(organization=org)
    assert (summary.accepted, summary.quarantined) == (0, 2)
    assert QuarantinedPolicy.objects.filter(organization=org, resolved_at=None).count() == 2
    assert not Report.objects.filter(organization=org, policies__isnull=False).exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_existing_quarantined_rows_the_copy_fields_of_their_delivery(
    client, org, other_org
):
    """Rows quarantined before reports/0006 get the fingerprint the intake computes and the
    provenance and arrival of their own delivery (checked by migrating back and forward)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    mail_in(org, forged_mail(org, forged()))
    post(client, other_org, genuine_gz(), "application/tlsrpt+gzip")
    fields = ("organization_id", "fingerprint", "provenance", "received_at", "submission_id")
    before = sorted(QuarantinedPolicy.objects.values_list(*fields))
    assert [row[2] for row in before] == [1, 2]

    executor = MigrationExecutor(connection)
    executor.migrate([("reports", "0005_intake_limits")])
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # 0006 and whatever follows it

    assert sorted(QuarantinedPolicy.objects.values_list(*fields)) == before
