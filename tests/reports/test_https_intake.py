"""``POST /tlsrpt/<token>/``: media types, errors, size limits, duplicates, races, quarantine.

A gzip bomb (small body, huge when decompressed) is answered 413 like an oversized body: the
sender's report is too large for us either way, and the raw body stays stored as rejected.
"""

from __future__ import annotations

import gzip
import threading
import urllib.error
import urllib.request
from datetime import timedelta

import pytest

from reports.models import QuarantinedPolicy, Report, ReportPolicy, Submission, SubmissionStatus
from reports.services import submissions_sweep
from tests.factories import DomainFactory, OrganizationFactory
from tests.reports.conftest import gz, policy, report_json, sample_bytes

pytestmark = pytest.mark.django_db

REPORT = "mail-tls-rpt/report.json"
REPORT_GZ = "mail-tls-rpt/report.json.gz"


def url_for(org) -> str:
    return f"/tlsrpt/{org.report_token}/"


def post(client, org, body: bytes, content_type: str = "application/tlsrpt+json"):
    return client.post(url_for(org), data=body, content_type=content_type)


@pytest.fixture
def tenant(org, own):
    own(org, "fastmaildmarc.com", "example.com")
    return org


@pytest.mark.parametrize(
    "content_type,gzipped",
    [
        ("application/tlsrpt+json", False),
        ("application/json", False),
        ("application/tlsrpt+gzip", True),
        ("application/gzip", True),
        ("application/octet-stream", True),
        ("application/octet-stream", False),
        ("text/plain", True),  # wrong label, but the gzip magic bytes say what it is
    ],
)
def test_every_media_type_is_accepted(client, tenant, content_type, gzipped):
    body = sample_bytes(REPORT_GZ if gzipped else REPORT)
    response = post(client, tenant, body, content_type)
    assert response.status_code == 201, response.content
    assert response.json() == {
        "status": "accepted",
        "report_id": "2020-03-02T00:00:00Z_fastmaildmarc.com",
        "quarantined": 0,
        "submission": Submission.objects.get().pk,
    }


def test_unknown_media_type_that_is_not_gzip_is_415(client, tenant):
    assert post(client, tenant, sample_bytes(REPORT), "text/html").status_code == 415


def test_unknown_token_is_404_json(client, db):
    response = client.post("/tlsrpt/0123456789abcdef/", data=b"{}", content_type="application/json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_get_is_405(client, tenant):
    response = client.get(url_for(tenant))
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_path_without_trailing_slash_is_accepted(client, tenant):
    response = client.post(
        f"/tlsrpt/{tenant.report_token}", data=sample_bytes(REPORT), content_type="application/json"
    )
    assert response.status_code == 201


def test_malformed_json_is_400_and_raw_is_kept(client, tenant):
    response = post(client, tenant, b'{"organization-name": ')
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_report"
    assert body["detail"].startswith("$")
    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.REJECTED
    assert submission.raw_payload() == b'{"organization-name": '


def test_bad_report_is_400_naming_the_json_path(client, tenant):
    body = report_json(policies=[policy("sts", "example.com", -3, 0)])
    response = post(client, tenant, body)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("$.policies[0]")


def test_body_over_the_limit_is_413(client, tenant, settings):
    settings.TLSMON_REPORT_MAX_COMPRESSED = 2048
    response = post(client, tenant, b"{" + b" " * 4096 + b"}")
    assert response.status_code == 413
    assert response.json()["code"] == "report_too_large"
    assert not Submission.objects.exists()


def test_60_mib_body_is_413(client, tenant):
    response = post(client, tenant, b" " * (60 * 1024 * 1024), "application/octet-stream")
    assert response.status_code == 413
    assert not Submission.objects.exists()


def test_gzip_bomb_is_413_and_raw_is_kept(client, tenant, settings):
    settings.TLSMON_REPORT_MAX_DECOMPRESSED = 1024 * 1024
    bomb = gzip.compress(b"{" + b" " * (8 * 1024 * 1024) + b"}")
    response = post(client, tenant, bomb, "application/tlsrpt+gzip")
    assert response.status_code == 413, response.content
    assert Submission.objects.get().status == SubmissionStatus.REJECTED


def test_same_bytes_again_is_200_duplicate(client, tenant):
    post(client, tenant, sample_bytes(REPORT))
    response = post(client, tenant, sample_bytes(REPORT))
    assert response.status_code == 200
    assert response.json()["status"] == "duplicate"


def test_same_report_in_other_bytes_is_200_duplicate(client, tenant):
    post(client, tenant, sample_bytes(REPORT))
    response = post(client, tenant, gz(sample_bytes(REPORT)), "application/tlsrpt+gzip")
    assert response.status_code == 200
    assert response.json()["status"] == "duplicate"
    assert Report.objects.count() == 1


def test_report_for_another_tenants_domain_is_quarantined(client, org, other_org, own):
    own(other_org, "fastmaildmarc.com")
    response = post(client, org, sample_bytes(REPORT))
    assert response.status_code == 201
    assert response.json()["quarantined"] == 1
    assert QuarantinedPolicy.objects.filter(organization=org).count() == 1
    assert not ReportPolicy.objects.exists()


def test_processing_error_that_is_not_the_reports_queues_it(client, tenant, monkeypatch):
    queued = []

    def broken(**kwargs):
        raise ConnectionError("database went away")

    monkeypatch.setattr("reports.views.submission_process", broken)
    monkeypatch.setattr(
        "reports.views.submission_enqueue", lambda submission: queued.append(submission.pk)
    )
    response = post(client, tenant, sample_bytes(REPORT))
    assert response.status_code == 202
    assert queued == [Submission.objects.get().pk]
    assert Submission.objects.get().status == SubmissionStatus.PENDING


@pytest.mark.django_db(transaction=True)
def test_in_process_tasks_a_processing_bug_is_answered_202_and_the_report_kept(
    client, tenant, tasks_in_process, monkeypatch
):
    """GIVEN the quickstart's in-process tasks (no Redis) and a processing bug that is not the
    report's WHEN a report is posted THEN the sender gets 202 (never a 500), the body stays
    pending with the failure recorded, and the sweep stores it once the bug is gone.

    The bug is injected (none can be produced on demand): ``unpack`` raises; the intake, the
    queueing and the in-process task around it are real. Transactional, so ``on_commit`` runs
    inside the request as it does in the quickstart."""

    def bug(**kwargs):
        raise ValueError("parser bug")

    monkeypatch.setattr("reports.services.unpack", bug)
    response = post(client, tenant, sample_bytes(REPORT))
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.PENDING
    assert "ValueError: parser bug" in submission.error

    monkeypatch.undo()
    assert submissions_sweep(older_than=timedelta(0)) == 1  # runs in-process at once
    assert Submission.objects.get().status == SubmissionStatus.PROCESSED
    assert Report.objects.filter(organization=tenant).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_of_one_report_store_it_once(live_server):
    """GIVEN a live server, WHEN eight clients POST the same report (as JSON and as gzip) at the
    same moment, THEN exactly one report and one policy are stored."""
    org = OrganizationFactory(slug="race-http")
    DomainFactory(organization=org, name="fastmaildmarc.com")
    bodies = [sample_bytes(REPORT), sample_bytes(REPORT_GZ)] * 4
    barrier = threading.Barrier(len(bodies))
    statuses: list[int] = []
    answers: list[object] = []  # every answer or exception, shown if the assertion fails

    def send(body: bytes) -> None:
        request = urllib.request.Request(
            f"{live_server.url}/tlsrpt/{org.report_token}/",
            data=body,
            headers={"Content-Type": "application/octet-stream"},
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                statuses.append(response.status)
                answers.append(response.read())
        except urllib.error.HTTPError as exc:
            statuses.append(exc.code)
            answers.append(exc.read())
        except OSError as exc:
            answers.append(exc)

    threads = [threading.Thread(target=send, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] * 7 + [201], answers
    assert Report.objects.filter(organization=org).count() == 1
    assert ReportPolicy.objects.filter(organization=org).count() == 1
