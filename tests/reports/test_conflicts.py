"""A stranger cannot erase genuine reports: same key, other content is a conflict; both copies
are kept, the one with the strongest provenance (later when equal) counts, figures follow it."""

from __future__ import annotations

import json
from datetime import timedelta
from email.message import EmailMessage

import pytest
from django.conf import settings

from reports import services
from reports.figures import figures_rebuild_all
from reports.intake import submission_receive, unpack
from reports.intake_limits import submissions_purge
from reports.models import (
    DailyFailure,
    DailyRollup,
    DomainDailyTotal,
    OrganizationDailyFailure,
    OrganizationDailyTotal,
    Report,
    ReportPolicy,
    Submission,
)
from reports.storage import StoreItem, reports_store
from tests.reports.conftest import policy, report_json
from tests.reports.test_dkim import key, sender, signed  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
GOOGLE_ID = "2026-01-05T00:00:00Z_example.com"
FAILURES = [("certificate-expired", "192.0.2.1", "mx.example.com", 500)]


def body(failed: int, *, contact: str = "smtp-tls-reporting@google.com") -> bytes:
    document = json.loads(
        report_json(
            report_id=GOOGLE_ID,
            reporter="Google Inc.",
            policies=[policy("sts", "example.com", 1000, failed, FAILURES if failed else ())],
        )
    )
    document["contact-info"] = contact
    return json.dumps(document).encode()


FORGED, GENUINE = body(0), body(500)


def post(client, org, payload: bytes):
    return client.post(
        f"/tlsrpt/{org.report_token}/", payload, content_type="application/tlsrpt+json"
    )


def mail(payload: bytes, signer: str) -> bytes:
    message = EmailMessage()
    message["From"] = f"noreply-smtp-tls-reporting@{signer}"
    message["To"] = "tlsrpt@reports.example"
    message["Subject"] = f"Report Domain: example.com Submitter: {signer}"
    message.set_content("This is an aggregate TLS report.")
    message.add_attachment(
        payload, maintype="application", subtype="tlsrpt+json", filename="report.json"
    )
    return message.as_bytes().replace(b"\n", b"\r\n")


def figures(org) -> dict:
    """Every figure the dashboards read for ``org``, without row ids."""
    return {
        "rollups": sorted(
            DailyRollup.objects.filter(organization=org).values_list(
                "day", "organization_name", "policy_type", "successful", "failed", "reports"
            )
        ),
        "failures": sorted(
            DailyFailure.objects.filter(organization=org).values_list(
                "day", "result_type", "receiving_mx_hostname", "failed"
            )
        ),
        "domain_totals": sorted(
            DomainDailyTotal.objects.filter(organization=org).values_list(
                "day", "successful", "failed"
            )
        ),
        "org_totals": sorted(
            OrganizationDailyTotal.objects.filter(organization=org).values_list(
                "day", "organization_name", "successful", "failed"
            )
        ),
        "org_failures": sorted(
            OrganizationDailyFailure.objects.filter(organization=org).values_list(
                "day", "result_type", "failed"
            )
        ),
    }


@pytest.fixture
def tenant(org, own):
    own(org, "example.com")
    return org


def test_a_forged_first_copy_does_not_hide_the_genuine_one(client, tenant):
    """GIVEN a forged report with Google's predictable report-id and no failures, posted first
    WHEN the genuine report (500 failures) arrives later by the same channel
    THEN both copies are kept, the later one counts, and the answer names the conflict."""
    assert post(client, tenant, FORGED).status_code == 201
    response = post(client, tenant, GENUINE)
    assert response.status_code == 201
    assert response.json()["conflicts"] == 1
    copies = ReportPolicy.objects.filter(report__report_id=GOOGLE_ID).order_by("id")
    assert [(p.failed, p.counted) for p in copies] == [(0, False), (500, True)]
    assert figures(tenant)["domain_totals"][0][1:] == (1000, 500)


def test_identical_content_in_other_bytes_stays_a_duplicate(client, tenant):
    post(client, tenant, GENUINE)
    response = post(client, tenant, json.dumps(json.loads(GENUINE), indent=2).encode())
    assert response.json()["status"] == "duplicate"
    assert ReportPolicy.objects.count() == 1


def test_swapping_the_winner_moves_the_figures_exactly(client, tenant, other_org, own):
    """The figures after forged-then-genuine equal those of the genuine report alone, and a
    full rebuild from the policies agrees (the incremental path counted the winner only)."""
    post(client, tenant, FORGED)
    before = figures(tenant)
    post(client, tenant, GENUINE)
    own(other_org, "example.com")
    post(client, other_org, GENUINE)
    assert figures(tenant) == figures(other_org) != before
    figures_rebuild_all()
    assert figures(tenant) == figures(other_org)


def test_a_dkim_signed_copy_beats_a_later_https_copy(client, tenant, sender, key, settings):  # noqa: F811
    """GIVEN the genuine report mailed with a DKIM signature of the reporter's domain
    WHEN a forged copy is posted over HTTPS afterwards THEN the signed copy still counts."""
    genuine = body(500, contact=f"smtp-tls-reporting@{sender}")
    services.email_ingest(
        organization=tenant, raw_message=signed(mail(genuine, sender), sender, key), source="t"
    )
    response = post(client, tenant, body(0, contact=f"smtp-tls-reporting@{sender}"))
    assert response.json()["conflicts"] == 1
    counted = ReportPolicy.objects.get(counted=True)
    assert (counted.failed, counted.provenance) == (500, 3)
    assert figures(tenant)["domain_totals"][0][1:] == (1000, 500)


def test_a_signed_copy_displaces_an_earlier_https_copy(client, tenant, sender, key):  # noqa: F811
    post(client, tenant, body(0, contact=f"smtp-tls-reporting@{sender}"))
    genuine = body(500, contact=f"smtp-tls-reporting@{sender}")
    summary = services.email_ingest(
        organization=tenant, raw_message=signed(mail(genuine, sender), sender, key), source="t"
    )
    assert summary.conflicts == 1
    assert ReportPolicy.objects.get(counted=True).failed == 500
    assert figures(tenant)["org_failures"][0][1:] == ("certificate-expired", 500)


def test_under_require_an_unaligned_signed_copy_still_outranks_https(
    client,
    tenant,
    sender,  # noqa: F811
    key,  # noqa: F811
    settings,
):
    """With TLSMON_REPORT_DKIM=require a DKIM-passed copy outranks HTTPS whatever d= says (in
    "record" mode the signature must match the reporter's contact domain)."""
    settings.TLSMON_REPORT_DKIM = "require"
    genuine = body(500, contact="smtp-tls-reporting@google.com")  # signed by another domain
    services.email_ingest(
        organization=tenant, raw_message=signed(mail(genuine, sender), sender, key), source="t"
    )
    post(client, tenant, body(0))
    assert ReportPolicy.objects.get(counted=True).failed == 500


def test_in_record_mode_an_unaligned_signature_ranks_as_unsigned(client, tenant, sender, key):  # noqa: F811
    genuine = body(500, contact="smtp-tls-reporting@google.com")  # d= is not google.com
    services.email_ingest(
        organization=tenant, raw_message=signed(mail(genuine, sender), sender, key), source="t"
    )
    post(client, tenant, body(0))
    assert ReportPolicy.objects.get(counted=True).failed == 0  # HTTPS outranks it


def test_an_unsigned_email_never_displaces_an_https_copy(client, tenant):
    post(client, tenant, GENUINE)
    services.email_ingest(organization=tenant, raw_message=mail(FORGED, "x.example"), source="t")
    assert ReportPolicy.objects.get(counted=True).failed == 500
    assert ReportPolicy.objects.count() == 2


def test_the_api_shows_conflicts_in_list_and_detail(client, tenant, api_client):
    post(client, tenant, FORGED)
    post(client, tenant, GENUINE)
    reader = api_client(tenant)
    listed = reader.get("/api/v1/reports/", {"has_conflicts": "true"}).json()["results"]
    assert [(r["conflicting_copies"], r["failed_sessions"]) for r in listed] == [(1, 500)]
    detail = reader.get(f"/api/v1/reports/{listed[0]['id']}/").json()
    (conflict,) = detail["conflicts"]
    assert [(c["counted"], c["failed"], c["provenance"]) for c in conflict["copies"]] == [
        (True, 500, "https"),
        (False, 0, "https"),
    ]
    assert reader.get("/api/v1/reports/", {"has_conflicts": "false"}).json()["results"] == []


def test_another_tenant_sees_neither_the_report_nor_its_conflicts(
    client, tenant, other_org, api_client
):
    post(client, tenant, FORGED)
    post(client, tenant, GENUINE)
    report = Report.objects.get(organization=tenant)
    outsider = api_client(other_org)
    assert outsider.get(f"/api/v1/reports/{report.pk}/").status_code == 404
    assert outsider.get("/api/v1/reports/", {"has_conflicts": "true"}).json()["results"] == []


def test_the_admin_lists_the_conflicting_copies(client, tenant, admin_client):
    post(client, tenant, FORGED)
    post(client, tenant, GENUINE)
    page = admin_client.get("/admin/reports/report/", {"conflicts": "yes"})
    assert page.status_code == 200
    assert GOOGLE_ID in page.content.decode()
    assert page.context["cl"].result_list[0].conflicting_copies == 1


def test_a_stronger_duplicate_makes_the_stored_copy_point_at_its_own_delivery(
    client,
    tenant,
    sender,  # noqa: F811
    key,  # noqa: F811
):
    """GIVEN the genuine report posted over HTTPS WHEN the same content arrives DKIM-signed
    THEN the counted copy is that email's (rank, arrival, submission), so purging duplicate
    deliveries after TLSMON_RETENTION_REJECTED_DAYS keeps the body of the copy that counts."""
    contact = f"smtp-tls-reporting@{sender}"
    post(client, tenant, body(500, contact=contact))
    summary = services.email_ingest(
        organization=tenant,
        raw_message=signed(mail(body(500, contact=contact), sender), sender, key),
        source="t",
    )
    assert summary.duplicates == 1
    email = Submission.objects.get(organization=tenant, channel="email")
    counted = ReportPolicy.objects.get(counted=True)
    assert (counted.provenance, counted.submission_id, counted.received_at) == (
        3,
        email.pk,
        email.received_at,
    )
    later = email.received_at + timedelta(days=settings.TLSMON_RETENTION_REJECTED_DAYS + 1)
    submissions_purge(now=later)
    email.refresh_from_db()
    assert email.purged_at is None


def test_a_stronger_duplicate_in_the_same_batch_is_the_copy_stored(tenant, settings):
    """Two deliveries of one content stored in one batch (as the bulk loader does): the row
    written carries the stronger delivery's rank, arrival and submission."""
    settings.TLSMON_REPORT_DKIM = "require"  # any passing signature ranks as DKIM
    items = []
    for channel, metadata in (("https", {}), ("email", {"dkim": {"status": "pass"}})):
        raw = GENUINE if channel == "https" else mail(GENUINE, "google.com")
        submission, _ = submission_receive(
            organization=tenant, payload=raw, channel=channel, source="t", metadata=metadata
        )
        unpacked = unpack(channel=channel, source="t", raw=raw)
        items += [StoreItem(p.report, submission, "t") for p in unpacked.parts]
    reports_store(organization=tenant, items=items)
    email = Submission.objects.get(organization=tenant, channel="email")
    stored = ReportPolicy.objects.get()
    assert (stored.provenance, stored.submission_id, stored.received_at) == (
        3,
        email.pk,
        email.received_at,
    )
