"""Report ingestion services on PostgreSQL: storage, dedupe, quarantine, roll-ups, routing."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from accounts.scoping import Scope
from reports import bulk, intake, services
from reports.models import (
    Channel,
    DailyFailure,
    DailyRollup,
    FailureDetail,
    QuarantinedPolicy,
    Report,
    ReportPolicy,
    RoutedBy,
    Submission,
    SubmissionStatus,
)
from reports.routing import TLSA_NOT_OURS, organization_for_address
from reports.selectors import domain_daily_sessions
from reports.summary import IngestSummary
from tests.factories import DomainFactory, OrganizationFactory
from tests.reports.conftest import (
    gz,
    is_email_sample,
    policy,
    report_address,
    report_json,
    sample_bytes,
    with_recipient,
)
from tests.reports.samples import expected_rows

pytestmark = pytest.mark.django_db

MAIL_TLS_RPT = ("mail-tls-rpt/report.json", "mail-tls-rpt/email.eml", "mail-tls-rpt/report.json.gz")


def ingest_sample(org, relative: str) -> IngestSummary:
    data = sample_bytes(relative)
    if is_email_sample(relative):
        return services.email_ingest(organization=org, raw_message=data, source=relative)
    return services.report_ingest_bytes(
        organization=org, payload=data, channel=Channel.FILE, source=relative
    )


# --- Every sample, stored with the figures of expected.tsv ----------------------------------


@pytest.mark.parametrize("row", expected_rows(), ids=lambda r: f"{r.file}:{r.policy_domain}")
def test_sample_is_stored_with_expected_totals(row, org, own):
    if row.policy_domain:
        own(org, row.policy_domain)
    summary = ingest_sample(org, row.file)
    assert not summary.rejected
    if row.policy_domain:
        policies = ReportPolicy.objects.filter(organization=org, domain__name=row.policy_domain)
        assert policies.aggregate(s=Sum("successful"))["s"] == row.successful
        assert policies.aggregate(f=Sum("failed"))["f"] == row.failed
        details = Counter()
        for d in FailureDetail.objects.filter(policy__in=policies):
            details[d.result_type] += d.failed_session_count
        assert dict(details) == row.result_type_counts
    else:  # no policy-domain and nothing to route it by: quarantined, figures kept
        kept = QuarantinedPolicy.objects.filter(organization=org, policy_domain="")
        assert sum(q.policy["successful_sessions"] for q in kept) == row.successful
        assert sum(q.policy["failed_sessions"] for q in kept) == row.failed


@pytest.mark.parametrize(
    "row",
    [r for r in expected_rows() if r.policy_domain],  # no policy-domain: quarantined, no roll-up
    ids=lambda r: f"{r.file}:{r.policy_domain}",
)
def test_sample_roll_ups_match_stored_policies(row, org, own):
    (domain,) = own(org, row.policy_domain)
    ingest_sample(org, row.file)
    rollups = DailyRollup.objects.filter(domain=domain)
    assert rollups.aggregate(s=Sum("successful"))["s"] == row.successful
    assert rollups.aggregate(f=Sum("failed"))["f"] == row.failed
    failures = Counter()
    for f in DailyFailure.objects.filter(domain=domain):
        failures[f.result_type] += f.failed
    assert dict(failures) == row.result_type_counts
    domain.refresh_from_db()
    assert domain.last_report_at is not None


def test_raw_payload_is_kept_byte_for_byte(org, own):
    data = sample_bytes("mail-tls-rpt/email.eml")
    services.email_ingest(organization=org, raw_message=data, source="x")
    submission = Submission.objects.get(organization=org)
    assert submission.raw_payload() == data
    assert submission.size == len(data)
    assert submission.status == SubmissionStatus.PROCESSED


def test_report_counted_once_when_split_between_tenant_and_quarantine(org, own):
    own(org, "example.com")
    payload = report_json(
        policies=[policy("sts", "example.com", 3, 0), policy("sts", "elsewhere.net", 1, 0)]
    )
    summary = services.report_ingest_bytes(
        organization=org, payload=payload, channel=Channel.FILE, source="split"
    )
    assert (summary.accepted, summary.quarantined, summary.duplicates) == (1, 1, 0)
    quarantined = QuarantinedPolicy.objects.get(organization=org)
    assert quarantined.report is not None
    assert quarantined.reason == "policy-domain elsewhere.net is not one of your domains"


# --- Duplicates --------------------------------------------------------------------------------


def test_same_bytes_twice_is_one_submission_and_one_report(org, own):
    own(org, "fastmaildmarc.com")
    first = ingest_sample(org, "mail-tls-rpt/report.json")
    second = ingest_sample(org, "mail-tls-rpt/report.json")
    assert (first.accepted, second.accepted, second.duplicates) == (1, 0, 1)
    assert Submission.objects.filter(organization=org).count() == 1
    assert Report.objects.filter(organization=org).count() == 1


def test_same_report_by_three_channels_is_stored_and_counted_once(org, own):
    (domain,) = own(org, "fastmaildmarc.com")
    summaries = [ingest_sample(org, name) for name in MAIL_TLS_RPT]
    assert [s.accepted for s in summaries] == [1, 0, 0]
    assert [s.duplicates for s in summaries] == [0, 1, 1]
    assert Submission.objects.filter(organization=org).count() == 3
    assert ReportPolicy.objects.filter(organization=org).count() == 1
    assert DailyRollup.objects.get(domain=domain).successful == 343


def test_microsoft_sts_and_tlsa_do_not_double_count_sessions(org, own):
    (domain,) = own(org, "random.net")
    ingest_sample(org, "dmarc-report-viewer/microsoft.json")
    per_type = dict(
        DailyRollup.objects.filter(domain=domain).values_list("policy_type", "successful")
    )
    assert per_type == {"sts": 2, "tlsa": 2}
    (sessions,) = domain_daily_sessions(scope=Scope(org, includes_clients=False))
    assert (sessions.domain_id, sessions.successful, sessions.failed) == (domain.pk, 2, 0)


def test_policies_added_by_a_later_delivery_join_the_same_report(org, own):
    own(org, "example.com", "example.org")
    first = report_json(policies=[policy("sts", "example.com", 3, 0)])
    both = report_json(
        policies=[policy("sts", "example.com", 3, 0), policy("sts", "example.org", 4, 0)]
    )
    for payload in (first, both):
        services.report_ingest_bytes(
            organization=org, payload=payload, channel=Channel.HTTPS, source="t"
        )
    assert Report.objects.filter(organization=org).count() == 1
    assert ReportPolicy.objects.filter(organization=org).count() == 2
    assert DailyRollup.objects.aggregate(s=Sum("successful"))["s"] == 7


# --- Concurrency -------------------------------------------------------------------------------


def run_in_threads(*calls) -> list:
    """Run each call in its own thread (own database connection), all released at once."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except Exception as exc:  # surfaced by the caller's assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    return results


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_processes_store_one_report_and_count_it_once():
    """GIVEN the same report as JSON and as gzip, WHEN two threads (two database connections)
    ingest them at the same moment, THEN one report is stored and rolled up once."""
    org = OrganizationFactory(slug="race")
    domain = DomainFactory(organization=org, name="fastmaildmarc.com")
    payloads = [
        sample_bytes("mail-tls-rpt/report.json"),
        sample_bytes("mail-tls-rpt/report.json.gz"),
    ]
    submissions = [
        intake.submission_receive(organization=org, payload=p, channel=Channel.FILE, source=str(i))[
            0
        ]
        for i, p in enumerate(payloads)
    ]
    results = run_in_threads(
        *[lambda s=s: services.submission_process(submission=s) for s in submissions]
    )
    assert sorted(s.accepted for s in results) == [0, 1]
    assert ReportPolicy.objects.filter(organization=org).count() == 1
    assert DailyRollup.objects.get(domain=domain).successful == 343


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_bulk_loads_of_the_same_reports_count_them_once():
    org = OrganizationFactory(slug="race-bulk")
    domain = DomainFactory(organization=org, name="example.com")
    reports = [report_json(report_id=f"b{i}") for i in range(60)]
    as_json = [(r, f"j{i}") for i, r in enumerate(reports)]
    as_gzip = [(gz(r), f"g{i}") for i, r in enumerate(reports)]
    results = run_in_threads(
        lambda: bulk.reports_ingest_many(organization=org, items=as_json, batch_size=25),
        lambda: bulk.reports_ingest_many(organization=org, items=as_gzip, batch_size=25),
    )
    assert sum(s.accepted for s in results) == 60
    assert sum(s.duplicates for s in results) == 60
    assert DailyRollup.objects.get(domain=domain).successful == 5 * 60


# --- Quarantine --------------------------------------------------------------------------------


def test_other_tenants_domain_is_quarantined_and_never_attached_to_them(org, other_org, own):
    own(other_org, "example.com")
    summary = ingest_sample(org, "parsedmarc/smtp_tls.json")
    assert (summary.accepted, summary.quarantined) == (0, 1)
    assert QuarantinedPolicy.objects.filter(organization=org, policy_domain="example.com").exists()
    assert not Report.objects.filter(organization=other_org).exists()
    assert not ReportPolicy.objects.filter(organization=other_org).exists()
    assert not DailyRollup.objects.filter(organization=other_org).exists()


def test_reprocess_stores_quarantined_policy_after_domain_is_added(org, own):
    ingest_sample(org, "parsedmarc/smtp_tls.json")
    (domain,) = own(org, "example.com")
    summary = services.quarantine_reprocess(organization=org)
    assert (summary.accepted, summary.quarantined) == (1, 0)
    assert QuarantinedPolicy.objects.get(organization=org).resolved_at is not None
    rollup = DailyRollup.objects.get(domain=domain)
    assert (rollup.successful, rollup.failed) == (0, 3)
    assert services.quarantine_reprocess(organization=org).accepted == 0  # nothing open


def test_reprocess_without_the_domain_leaves_the_policy_quarantined(org, own):
    ingest_sample(org, "parsedmarc/smtp_tls.json")
    own(org, "unrelated.example")
    summary = services.quarantine_reprocess(organization=org)
    assert (summary.accepted, summary.quarantined) == (0, 1)
    assert QuarantinedPolicy.objects.get(organization=org).resolved_at is None
    assert not ReportPolicy.objects.exists()


def test_quarantine_is_not_repeated_for_a_redelivered_report(org):
    ingest_sample(org, "mail-tls-rpt/report.json")
    again = ingest_sample(org, "mail-tls-rpt/report.json.gz")
    assert (again.quarantined, again.duplicates) == (0, 1)
    assert QuarantinedPolicy.objects.filter(organization=org).count() == 1


def test_policy_domain_compared_case_and_trailing_dot_insensitive(org, own):
    own(org, "example.com")
    payload = report_json(policies=[policy("sts", "Example.COM.", 2, 0)])
    summary = services.report_ingest_bytes(
        organization=org, payload=payload, channel=Channel.FILE, source="t"
    )
    assert summary.accepted == 1


def test_tlsa_policy_for_a_foreign_name_is_quarantined_with_reason(org, own):
    own(org, "example.com")
    payload = report_json(policies=[policy("tlsa", "mx1.provider.net", 2, 0)])
    services.report_ingest_bytes(
        organization=org, payload=payload, channel=Channel.FILE, source="t"
    )
    assert QuarantinedPolicy.objects.get(organization=org).reason == TLSA_NOT_OURS


def test_policy_without_domain_is_routed_by_the_reports_other_policy(org, own):
    own(org, "example.com")
    payload = report_json(
        policies=[policy("sts", "example.com", 2, 0), policy("no-policy-found", None, 5, 0)]
    )
    services.report_ingest_bytes(
        organization=org, payload=payload, channel=Channel.FILE, source="t"
    )
    routed = ReportPolicy.objects.get(organization=org, policy_type="no-policy-found")
    assert (routed.domain.name, routed.routed_by) == ("example.com", RoutedBy.REPORT)


def test_policy_without_domain_is_routed_by_the_tls_report_domain_header(org, own):
    own(org, "example.org")
    message = (
        b"From: reports@sender.example\r\nTo: x@y.example\r\nSubject: Report\r\n"
        b"TLS-Report-Domain: example.org\r\nTLS-Report-Submitter: sender.example\r\n"
        b"Message-ID: <1@sender.example>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type="tlsrpt"; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nReport\r\n"
        b"--b\r\nContent-Type: application/tlsrpt+json\r\n"
        b'Content-Disposition: attachment; filename="r.json"\r\n\r\n'
        + report_json(policies=[policy("no-policy-found", None, 5, 0)])
        + b"\r\n--b--\r\n"
    )
    services.email_ingest(organization=org, raw_message=message, source="mail")
    routed = ReportPolicy.objects.get(organization=org)
    assert routed.routed_by == RoutedBy.REPORT_DOMAIN_HEADER


# --- Rejections ----------------------------------------------------------------------------


def test_bad_report_is_rejected_with_its_json_path_and_raw_kept(org):
    payload = report_json(policies=[policy("sts", "example.com", -1, 0)])
    summary = services.report_ingest_bytes(
        organization=org, payload=payload, channel=Channel.HTTPS, source="t"
    )
    (rejection,) = summary.rejected
    assert "$.policies[0]" in rejection.error
    submission = Submission.objects.get(organization=org)
    assert submission.status == SubmissionStatus.REJECTED
    assert "$.policies[0]" in submission.error
    assert submission.raw_payload() == payload


# --- Email routing ---------------------------------------------------------------------------


@pytest.mark.parametrize("suffix,upper", [("", False), ("tlsrpt", False), ("", True)])
def test_address_with_token_routes_to_its_organization(org, suffix, upper):
    address = report_address(org, suffix=suffix)
    assert organization_for_address(address.upper() if upper else address) == org


@pytest.mark.parametrize(
    "address", ["nobody@reports.tlsmon.localhost", "{token}@another.example", "", "not an address"]
)
def test_other_addresses_route_nowhere(org, address):
    assert organization_for_address(address.format(token=org.report_token)) is None


def test_mail_is_routed_by_recipient_token(org, own):
    own(org, "test.xmox.nl")
    raw = with_recipient(sample_bytes("mox/example.eml"), report_address(org, suffix="x"))
    summary = services.mail_ingest(raw_message=raw, source="imap:1")
    assert summary.accepted == 1
    assert Report.objects.filter(organization=org).count() == 1


def test_mail_for_unknown_token_is_rejected_and_not_stored(org):
    raw = with_recipient(sample_bytes("mox/example.eml"), "deadbeef@reports.tlsmon.localhost")
    summary = services.mail_ingest(raw_message=raw, source="imap:2")
    (rejection,) = summary.rejected
    assert rejection.error.startswith("no organization for recipient")
    assert not Submission.objects.exists()


# --- Bulk path and sweeper ---------------------------------------------------------------------


def test_bulk_ingest_counts_per_report_and_dedupes(org, own):
    own(org, "example.com", "example.org")
    items = [
        (
            report_json(
                report_id=f"bulk-{i}",
                policies=[
                    policy(
                        "sts",
                        "example.com",
                        1,
                        1,
                        [("validation-failure", "192.0.2.1", "mx.example.com", 1)],
                    )
                ],
            ),
            f"f{i}",
        )
        for i in range(30)
    ]
    items.append((gz(items[0][0]), "same report, gzipped"))
    items.append((report_json(report_id="q", policies=[policy("sts", "foreign.net", 1, 0)]), "q"))
    items.append((b"{not json", "broken"))
    summary = bulk.reports_ingest_many(organization=org, items=items, batch_size=7)
    assert (summary.accepted, summary.duplicates, summary.quarantined) == (30, 1, 1)
    assert [r.source for r in summary.rejected] == ["broken"]
    assert DailyRollup.objects.get().successful == 30
    assert DailyFailure.objects.get().failed == 30
    again = bulk.reports_ingest_many(organization=org, items=items)
    assert (again.accepted, again.duplicates) == (0, len(items))
    assert DailyRollup.objects.get().successful == 30


@pytest.fixture
def sent(monkeypatch) -> list[tuple[int, dict]]:
    """What the sweep sends: (submission id, options), captured at the broker edge."""
    sent: list[tuple[int, dict]] = []
    monkeypatch.setattr(
        "reports.tasks.process_submission.apply_async",
        lambda args, **options: sent.append((args[0], options)),
    )
    return sent


def _pending(org, payload: bytes, *, age: timedelta, attempts: int = 0) -> Submission:
    submission, _ = intake.submission_receive(
        organization=org, payload=payload, channel=Channel.HTTPS, source="t"
    )
    Submission.objects.filter(pk=submission.pk).update(
        received_at=timezone.now() - age, attempts=attempts
    )
    return submission


def test_sweep_requeues_old_pending_submissions(org, sent, django_capture_on_commit_callbacks):
    old = _pending(org, b"{}", age=timedelta(seconds=50))
    _pending(org, b"{ }", age=timedelta(seconds=30))
    with django_capture_on_commit_callbacks(execute=True):
        count = services.submissions_sweep(older_than=timedelta(seconds=45), expires=60)
    assert count == 1
    assert sent == [(old.pk, {"expires": 60})]


def test_sweep_waits_twice_as_long_after_each_failed_attempt(
    org, sent, django_capture_on_commit_callbacks
):
    """45 s after receipt for the first two tries, then 90 s, 180 s, ... (3 tries: 180 s)."""
    due = _pending(org, b"[1]", age=timedelta(seconds=200), attempts=3)
    _pending(org, b"[2]", age=timedelta(seconds=170), attempts=3)
    _pending(org, b"[3]", age=timedelta(days=30), attempts=services.MAX_ATTEMPTS)
    with django_capture_on_commit_callbacks(execute=True):
        services.submissions_sweep(older_than=timedelta(seconds=45))
    assert [pk for pk, _ in sent] == [due.pk]


def test_a_processed_submission_sent_twice_is_not_processed_again(org, own):
    from reports.tasks import process_submission

    own(org, "fastmaildmarc.com")
    submission, _ = intake.submission_receive(
        organization=org, payload=sample_bytes(MAIL_TLS_RPT[0]), channel=Channel.FILE, source="t"
    )
    process_submission(submission.pk)
    assert process_submission(submission.pk).endswith("already processed (processed)")
    assert Submission.objects.get(pk=submission.pk).attempts == 1


def test_process_task_processes_a_stored_submission(org, own):
    from reports.tasks import process_submission

    own(org, "fastmaildmarc.com")
    submission, _ = intake.submission_receive(
        organization=org, payload=sample_bytes(MAIL_TLS_RPT[0]), channel=Channel.FILE, source="t"
    )
    assert process_submission(submission.pk).endswith(
        "1 accepted, 0 duplicate(s), 0 quarantined, 0 rejected"
    )
    assert process_submission(10**9) == f"submission {10**9} no longer exists"


def test_summaries_add_up():
    a = IngestSummary(accepted=1, duplicates=2).reject("x", "bad")
    b = IngestSummary(accepted=3, quarantined=1)
    total = a + b
    assert (total.accepted, total.duplicates, total.quarantined) == (4, 2, 1)
    assert [tuple(r) for r in total.rejected] == [("x", "bad")]
    assert a.as_dict()["rejected"] == [{"source": "x", "error": "bad"}]


def test_rollup_day_is_the_utc_date_of_the_report_start(org, own):
    (domain,) = own(org, "test.xmox.nl")
    ingest_sample(org, "mox/microsoft.eml")  # zone-less dates, read as UTC
    assert DailyRollup.objects.get(domain=domain).day == date(2023, 1, 10)


# --- Operator admin (re-process actions call the services above) -------------------------------


def test_admin_pages_render_and_reprocess_actions_call_the_services(admin_client, org, own):
    own(org, "fastmaildmarc.com")
    ingest_sample(org, "mail-tls-rpt/report.json")
    ingest_sample(org, "parsedmarc/smtp_tls.json")  # example.com: quarantined
    services.report_ingest_bytes(
        organization=org, payload=b"{bad", channel=Channel.FILE, source="z"
    )
    pages = ["submission", "report", "reportpolicy", "quarantinedpolicy"]
    models = [Submission, Report, ReportPolicy, QuarantinedPolicy]
    for page, model in zip(pages, models, strict=True):
        assert admin_client.get(f"/admin/reports/{page}/").status_code == 200
        url = f"/admin/reports/{page}/{model.objects.first().pk}/change/"
        assert admin_client.get(url).status_code == 200
    bad = Submission.objects.get(source="z")
    assert admin_client.get(f"/admin/reports/submission/{bad.pk}/download/").content == b"{bad"
    own(org, "example.com")
    quarantined = QuarantinedPolicy.objects.get()
    response = admin_client.post(
        "/admin/reports/quarantinedpolicy/",
        {"action": "reprocess", "_selected_action": [quarantined.pk]},
        follow=True,
    )
    assert b"Re-processed: 1 accepted" in response.content
