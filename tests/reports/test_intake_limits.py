"""Intake cannot be used as free storage: per-token rate limit, a daily allowance of rejected
bytes per organization, and retention of raw bodies (figures stay)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from reports.intake_limits import rate_limit_wait
from reports.models import IntakeDailyUsage, Report, Submission, SubmissionStatus
from reports.models.figures import DomainDailyTotal
from reports.tasks import purge_raw_submissions
from tests.reports.conftest import report_json

pytestmark = pytest.mark.django_db


def post(client, org, body: bytes, **extra):
    return client.post(
        f"/tlsrpt/{org.report_token}/", body, content_type="application/tlsrpt+json", **extra
    )


@pytest.fixture
def tenant(org, own):
    own(org, "example.com")
    return org


def test_posts_over_the_per_token_limit_get_429_with_retry_after(client, tenant, settings):
    settings.TLSMON_REPORT_RATE_PER_MINUTE = 3
    statuses = [post(client, tenant, report_json(report_id=f"r{i}")).status_code for i in range(3)]
    response = post(client, tenant, report_json(report_id="r-over"))
    assert statuses == [201, 201, 201]
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["code"] == "rate_limited"
    assert not Report.objects.filter(report_id="r-over").exists()


def test_the_limit_is_per_token(client, tenant, other_org, own, settings):
    settings.TLSMON_REPORT_RATE_PER_MINUTE = 1
    own(other_org, "example.org")
    assert post(client, tenant, report_json()).status_code == 201
    assert post(client, other_org, report_json()).status_code == 201
    assert post(client, tenant, report_json(report_id="again")).status_code == 429


def test_the_window_ends_on_the_minute(settings):
    settings.TLSMON_REPORT_RATE_PER_MINUTE = 1
    assert rate_limit_wait("t", now=6000.0) == 0
    assert rate_limit_wait("t", now=6015.0) == 45
    assert rate_limit_wait("t", now=6060.0) == 0  # next window


def test_default_leaves_real_senders_120_posts_a_minute(settings):
    assert settings.TLSMON_REPORT_RATE_PER_MINUTE == 120


def test_rejected_bytes_beyond_the_daily_allowance_are_refused_and_counted(
    client, tenant, settings
):
    """GIVEN an allowance of 100 rejected bytes a day WHEN three 39-byte junk bodies arrive
    THEN two are kept (78 bytes), the third is refused with a clear error, not stored, counted."""
    settings.TLSMON_REPORT_REJECTED_BYTES_PER_DAY = 100
    bodies = [b'{"junk": %d, "pad": "xxxxxxxxxxxxxxxxx"}' % i for i in range(3)]
    assert {len(b) for b in bodies} == {39}
    answers = [post(client, tenant, b) for b in bodies]
    assert [a.status_code for a in answers] == [400, 400, 400]
    assert "not stored" in answers[2].json()["detail"]
    assert "not stored" not in answers[1].json()["detail"]
    assert Submission.objects.filter(organization=tenant).count() == 2
    usage = IntakeDailyUsage.objects.get(organization=tenant)
    assert (usage.rejected_bytes, usage.refused, usage.refused_bytes) == (78, 1, 39)


def test_good_reports_are_stored_whatever_the_allowance(client, tenant, settings):
    settings.TLSMON_REPORT_REJECTED_BYTES_PER_DAY = 0
    assert post(client, tenant, b'{"junk": 1}').status_code == 400
    assert post(client, tenant, report_json()).status_code == 201
    assert Submission.objects.filter(organization=tenant).count() == 1


def _age(submission_ids, days: int) -> None:
    Submission.objects.filter(pk__in=submission_ids).update(
        received_at=timezone.now() - timedelta(days=days)
    )


def test_retention_purges_rejected_and_duplicate_bodies_after_30_days(client, tenant):
    """GIVEN an accepted, a rejected and a duplicate submission, 31 days old
    WHEN the beat task runs THEN the rejected and the duplicate bodies are gone, the accepted
    one is kept, and every row stays."""
    accepted = post(client, tenant, report_json()).json()["submission"]
    post(client, tenant, b'{"junk": 1}')
    duplicate = post(client, tenant, report_json().replace(b", ", b",  ")).json()["submission"]
    rejected = Submission.objects.get(status=SubmissionStatus.REJECTED).pk
    _age([accepted, rejected, duplicate], 31)
    assert "2 rejected/duplicate and 0 accepted" in purge_raw_submissions()
    purged = set(Submission.objects.filter(purged_at__isnull=False).values_list("pk", flat=True))
    assert purged == {rejected, duplicate}
    assert Submission.objects.get(pk=accepted).raw_payload() == report_json()
    assert Submission.objects.count() == 3


def test_retention_purges_accepted_bodies_after_400_days_and_figures_stay(
    client, tenant, api_client
):
    accepted = post(client, tenant, report_json()).json()["submission"]
    _age([accepted], 399)
    call_command("purge_submissions", stdout=StringIO())
    assert Submission.objects.get(pk=accepted).purged_at is None
    totals = list(DomainDailyTotal.objects.values_list("successful", "failed"))
    _age([accepted], 401)
    out = StringIO()
    call_command("purge_submissions", stdout=out)
    assert "0 rejected/duplicate and 1 accepted" in out.getvalue()
    assert list(DomainDailyTotal.objects.values_list("successful", "failed")) == totals == [(5, 0)]
    report = Report.objects.get()
    reader = api_client(tenant)
    assert reader.get(f"/api/v1/reports/{report.pk}/").json()["successful_sessions"] == 5
    assert reader.get(f"/api/v1/reports/{report.pk}/raw/").status_code == 404


def test_retention_days_come_from_settings(client, tenant, settings):
    settings.TLSMON_RETENTION_RAW_DAYS = 10
    accepted = post(client, tenant, report_json()).json()["submission"]
    _age([accepted], 11)
    purge_raw_submissions()
    assert Submission.objects.get(pk=accepted).purged_at is not None


def test_a_purged_submission_is_never_reprocessed_into_a_rejection(client, tenant):
    from reports.services import submission_process

    accepted = post(client, tenant, report_json()).json()["submission"]
    _age([accepted], 401)
    purge_raw_submissions()
    submission = Submission.objects.get(pk=accepted)
    summary = submission_process(submission=submission)
    assert "purged" in summary.rejected[0].error
    assert Submission.objects.get(pk=accepted).status == SubmissionStatus.PROCESSED


def test_the_same_report_posted_again_after_its_raw_bytes_were_purged_is_a_duplicate(
    client, tenant
):
    """A sender re-delivering an already stored report after retention purged its raw bytes
    gets "duplicate" (and the bytes are kept again), never a 400 that calls it invalid."""
    accepted = post(client, tenant, report_json()).json()["submission"]
    _age([accepted], 401)
    purge_raw_submissions()
    again = post(client, tenant, report_json())
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    submission = Submission.objects.get(pk=accepted)
    assert (submission.purged_at, submission.raw_payload()) == (None, report_json())


def test_a_report_holding_a_nul_character_is_rejected_and_charged_not_left_pending(client, tenant):
    """U+0000 is valid JSON but no database text can hold it: the report is refused as invalid
    (so it counts against the rejected-bytes allowance and is purged with the rejected), not
    kept pending for a sweep that can never store it."""
    body = report_json().replace(b'"Example Sender"', b'"Example\\u0000Sender"', 1)
    assert b"\\u0000" in body
    response = post(client, tenant, body)
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
    assert Submission.objects.get(organization=tenant).status == SubmissionStatus.REJECTED
    literal = report_json().replace(b'"Example Sender"', b'"Example\\\\u0000Sender"', 1)
    assert post(client, tenant, literal).status_code == 201  # an escaped backslash is just text
