"""Mailbox polling against a real Dovecot on loopback: ingest, file, survive bad mail and crashes.

Messages are the real sender samples, delivered by IMAP APPEND with a ``Delivered-To:`` header
prepended that names the tenant's report address, as the tenant's mail server would add it.
"""

from __future__ import annotations

import ssl
from dataclasses import replace
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError

from reports import services
from reports.imap import ImapConfig, ImapReportMailbox
from reports.mailbox import POLL_LOCK_KEY, PollSummary, mailboxes_poll
from reports.models import Report, Submission
from tests.factories import DomainFactory, OrganizationFactory
from tests.reports.imap_server import (  # noqa: F401 - fixtures used by name
    dovecot_server_fixture,
    imap_server_fixture,
)
from tests.reports.samples import SAMPLES_DIR

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

PROCESSED = "TLSMon/Processed"
FAILED = "TLSMon/Failed"
GOOGLE_1 = "tlsrpt-digest/tlsrpt_success_google_1.eml"
GOOGLE_2 = "tlsrpt-digest/tlsrpt_success_google_2.eml"
MOX = "mox/example.eml"


def addressed(sample: str, recipient: str) -> bytes:
    """The sample's bytes with ``Delivered-To: <recipient>`` in front, in its own line ends."""
    raw = (SAMPLES_DIR / sample).read_bytes()
    newline = b"\r\n" if b"\r\n" in raw.split(b"\n", 1)[0] + b"\n" else b"\n"
    return b"Delivered-To: " + recipient.encode() + newline + raw


def address_of(org, *, suffix: str = "", upper: bool = False) -> str:
    local = org.report_token.upper() if upper else org.report_token
    return f"{local}{suffix}@{settings.TLSMON_REPORT_DOMAIN}"


@pytest.fixture
def tenant(db):
    org = OrganizationFactory(name="Mail Tenant", slug="mail-tenant")
    DomainFactory(organization=org, name="example.com")
    DomainFactory(organization=org, name="test.xmox.nl")
    return org


def test_reports_are_ingested_and_moved_to_the_processed_folder(imap_server, tenant):
    imap_server.deliver(addressed(GOOGLE_1, address_of(tenant)))
    imap_server.deliver(addressed(GOOGLE_2, address_of(tenant, suffix="+tlsrpt", upper=True)))
    imap_server.deliver(addressed(MOX, address_of(tenant)))

    summary = mailboxes_poll()

    assert (summary.fetched, summary.processed, summary.failed) == (3, 3, 0)
    assert summary.accepted == 3
    assert imap_server.messages("INBOX") == []
    assert len(imap_server.messages(PROCESSED)) == 3
    assert Report.objects.filter(organization=tenant).count() == 3


def test_unroutable_and_garbage_mail_go_to_failed_without_stopping_the_others(imap_server, tenant):
    imap_server.deliver(addressed(GOOGLE_1, f"0123456789abcdef@{settings.TLSMON_REPORT_DOMAIN}"))
    imap_server.deliver(b"\x00\xff garbage \r\n\r\n\x89PNG not a message at all")
    imap_server.deliver(addressed(MOX, address_of(tenant)))

    summary = mailboxes_poll()

    assert (summary.processed, summary.failed) == (1, 2)
    assert any("no organization for recipient" in reason for _, reason in summary.failures)
    assert imap_server.messages("INBOX") == []
    assert len(imap_server.messages(FAILED)) == 2
    assert len(imap_server.messages(PROCESSED)) == 1
    assert Report.objects.filter(organization=tenant).count() == 1


def test_a_message_that_breaks_ingestion_goes_to_failed_and_the_rest_continue(imap_server, tenant):
    imap_server.deliver(addressed(GOOGLE_1, address_of(tenant)))
    imap_server.deliver(addressed(MOX, address_of(tenant)))
    real_ingest = services.mail_ingest
    calls = iter([RuntimeError("parser bug"), None])

    def flaky(**kwargs):
        error = next(calls)
        if error:
            raise error
        return real_ingest(**kwargs)

    with mock.patch.object(services, "mail_ingest", side_effect=flaky):
        summary = mailboxes_poll()

    assert (summary.processed, summary.failed) == (1, 1)
    assert summary.failures[0][1] == "RuntimeError: parser bug"
    assert len(imap_server.messages(FAILED)) == 1
    assert Report.objects.filter(organization=tenant).count() == 1


def test_a_crash_between_ingest_and_move_loses_nothing_and_stores_nothing_twice(
    imap_server, tenant
):
    """GIVEN a message that was ingested and committed, WHEN the worker dies before moving it,
    THEN it is still in the INBOX, stored once, and the next poll files it as a duplicate."""
    imap_server.deliver(addressed(GOOGLE_1, address_of(tenant)))
    with (
        mock.patch.object(
            ImapReportMailbox,
            "move_to_processed",
            autospec=True,
            side_effect=ConnectionResetError("worker killed"),
        ),
        pytest.raises(ConnectionResetError),
    ):
        mailboxes_poll()
    assert len(imap_server.messages("INBOX")) == 1
    assert Report.objects.filter(organization=tenant).count() == 1

    summary = mailboxes_poll()

    assert (summary.accepted, summary.duplicates, summary.processed) == (0, 1, 1)
    assert Report.objects.filter(organization=tenant).count() == 1
    assert Submission.objects.filter(organization=tenant).count() == 1
    assert imap_server.messages("INBOX") == []


def test_a_database_outage_leaves_the_message_for_the_next_poll(imap_server, tenant):
    imap_server.deliver(addressed(GOOGLE_1, address_of(tenant)))
    with mock.patch.object(services, "mail_ingest", side_effect=OperationalError("db down")):
        summary = mailboxes_poll()
    assert (summary.deferred, summary.processed, summary.failed) == (1, 0, 0)
    assert len(imap_server.messages("INBOX")) == 1

    assert mailboxes_poll().processed == 1


def test_messages_stay_unread_and_folders_are_created(imap_server, tenant):
    imap_server.deliver(addressed(GOOGLE_1, address_of(tenant)))
    with mock.patch.object(services, "mail_ingest", side_effect=OperationalError("db down")):
        mailboxes_poll()
    with imap_server.mailbox() as box:
        assert box.folder.exists(PROCESSED)
        assert box.folder.exists(FAILED)
        assert [msg.flags for msg in box.fetch(mark_seen=False)] == [()]


def test_a_poll_takes_at_most_one_batch(imap_server, tenant, settings):
    settings.TLSMON_IMAP_BATCH = 2
    for sample in (GOOGLE_1, GOOGLE_2, MOX):
        imap_server.deliver(addressed(sample, address_of(tenant)))
    assert mailboxes_poll().fetched == 2
    assert len(imap_server.messages("INBOX")) == 1


def test_polling_is_off_when_no_imap_host_is_set(settings):
    settings.TLSMON_IMAP_HOST = ""
    assert mailboxes_poll() == PollSummary()


def test_a_wrong_password_is_an_error_not_a_silent_success(imap_server, settings):
    settings.TLSMON_IMAP_PASSWORD = "wrong"
    with pytest.raises(Exception, match=r"(?i)auth"):
        mailboxes_poll()


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_tls_connections_verify_the_server_and_ingest(imap_server, tenant, security):
    imap_server.deliver(addressed(GOOGLE_1, address_of(tenant)))
    port = imap_server.tls_port if security == "ssl" else imap_server.port
    config = replace(ImapConfig.from_settings(), security=security, port=port)
    with ImapReportMailbox(config, ssl_context=imap_server.client_ssl_context()) as mailbox:
        summary = mailboxes_poll(client=mailbox)
    assert summary.processed == 1


def test_an_untrusted_certificate_is_refused(imap_server, settings):
    settings.TLSMON_IMAP_SECURITY = "ssl"
    settings.TLSMON_IMAP_PORT = imap_server.tls_port
    with pytest.raises(ssl.SSLCertVerificationError):
        mailboxes_poll()


def test_a_second_poller_skips_while_one_is_running(imap_server, tenant):
    imap_server.deliver(addressed(GOOGLE_1, address_of(tenant)))
    cache.add(POLL_LOCK_KEY, "1", timeout=60)
    try:
        assert mailboxes_poll().skipped
        assert len(imap_server.messages("INBOX")) == 1
    finally:
        cache.delete(POLL_LOCK_KEY)
    assert mailboxes_poll().processed == 1


def test_the_beat_task_polls_and_summarises(imap_server, tenant):
    from reports.tasks import poll_mailboxes

    imap_server.deliver(addressed(MOX, address_of(tenant)))
    assert poll_mailboxes().startswith("1 fetched: 1 processed, 0 failed")
