"""Digests sent over real SMTP (the ``smtp_server`` fixture): who gets one, what it says, and
that a period is sent once, retried on failure, and stopped by the one-click unsubscribe."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.db import connection

from accounts.models import Role
from notify.digests import digests_send_due
from notify.models import DigestDelivery, DigestStatus
from tests.checkout import ROOT
from tests.factories import DomainFactory, OrganizationFactory
from tests.mail import body_text
from tests.notify.conftest import (
    DUE,
    GAP_DOMAINS,
    HEALTHY_DOMAIN,
    NEXT_WEEK,
    SILENT_DOMAIN,
    gap_domain,
    member,
    send,
)

pytestmark = pytest.mark.django_db


def test_owners_and_admins_get_the_weekly_digest_and_members_and_viewers_do_not(
    gapped_org, smtp_server
):
    for role in (Role.OWNER, Role.ADMIN, Role.MEMBER, Role.VIEWER):
        member(gapped_org, role, email=f"{role}@alpha.example")
    assert send() == "sent 2 digest(s) to 2 recipient(s)"
    messages = smtp_server.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["admin@alpha.example", "owner@alpha.example"]
    assert messages[0]["Subject"] == (
        "Weekly TLSMon digest for Alpha Corp: 8 of 9 domains with gaps"
    )


def test_every_gap_kind_is_listed_with_its_domains_in_both_parts(gapped_org, smtp_server):
    member(gapped_org, email="owner@alpha.example")
    send()
    (message,) = smtp_server.wait_for(1)
    text, html = body_text(message, "plain"), body_text(message, "html")
    labels = [
        "No TLS-RPT record",
        "TLS-RPT record broken",
        "External destination not authorized",
        "No MTA-STS",
        "MTA-STS in testing mode",
        "MTA-STS broken",
        "DNS lookup failed",
        "Record published, but no report for 3 days",
    ]
    names = [*GAP_DOMAINS.values(), SILENT_DOMAIN]
    for label, name in zip(labels, names, strict=True):
        for part in (text, html):
            assert label in part
            assert part.index(name) > part.index(label)
    assert HEALTHY_DOMAIN not in text
    # Readable in any mail client: inline CSS, no external images or stylesheets, and links
    # into the web UI.
    assert "<img" not in html and "<link" not in html and 'style="' in html
    assert f"http://127.0.0.1:8000/o/{gapped_org.slug}/" in text


def test_an_msp_admin_gets_one_roll_up_grouped_by_client(msp, client_org, smtp_server):
    second = OrganizationFactory(name="Beta Client", slug="beta", managed_by=msp)
    gap_domain(client_org, "one.example", "no_record")
    gap_domain(second, "beta.example", "no_mta_sts")
    gap_domain(OrganizationFactory(slug="stranger"), "stranger.example", "no_record")
    member(msp, Role.ADMIN, email="staff@msp.example")
    member(client_org, Role.OWNER, email="owner@client.example")
    send()
    smtp_server.wait_for(2)
    (rollup,) = smtp_server.to("staff@msp.example")
    text = body_text(rollup, "plain")
    beta, one = text.index("== Beta Client (client) =="), text.index("== Client One (client) ==")
    assert beta < text.index("beta.example") < one < text.index("one.example")
    assert "stranger.example" not in text
    (own,) = smtp_server.to("owner@client.example")
    assert "one.example" in body_text(own) and "beta.example" not in body_text(own)


def test_a_roll_up_with_one_client_still_names_the_client(msp, client_org, smtp_server):
    gap_domain(client_org, "one.example", "no_record")
    member(msp, Role.OWNER, email="staff@msp.example")
    send()
    text = body_text(smtp_server.wait_for(1)[0])
    assert text.index("== Client One (client) ==") < text.index("one.example")


def test_nothing_is_sent_for_an_organization_without_domains(org, smtp_server):
    member(org, email="owner@alpha.example")
    assert send() == "sent 0 digest(s) to 0 recipient(s)"
    assert not DigestDelivery.objects.exists()


def test_a_period_is_never_sent_twice(gapped_org, smtp_server):
    member(gapped_org, email="owner@alpha.example")
    assert send() == "sent 1 digest(s) to 1 recipient(s)"
    assert send(DUE + timedelta(minutes=10)) == "sent 0 digest(s) to 0 recipient(s)"
    assert len(smtp_server.wait_for(1)) == 1
    delivery = DigestDelivery.objects.get()
    assert (delivery.status, delivery.recipient) == (DigestStatus.SENT, "owner@alpha.example")
    assert delivery.message_id == smtp_server.messages[0]["Message-ID"]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_senders_racing_send_each_period_once(smtp_server):
    """GIVEN five owners due for a digest WHEN two senders run at the same moment in two
    threads (two database connections) THEN each owner gets exactly one message."""
    for n in range(5):
        org = OrganizationFactory(slug=f"race-{n}")
        gap_domain(org, f"race{n}.example", "no_record")
        member(org, email=f"owner{n}@race.example")
    start, results = threading.Barrier(2), []

    def sender():
        try:
            start.wait()
            results.append(digests_send_due(now=DUE).sent)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 5
    smtp_server.wait_for(5)
    assert sorted(m["To"] for m in smtp_server.messages) == [
        f"owner{n}@race.example" for n in range(5)
    ]
    assert DigestDelivery.objects.filter(status=DigestStatus.SENT).count() == 5


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_send_digests_processes_racing_send_each_period_once(smtp_server, settings):
    """As two beat processes would: two ``manage.py send_digests`` started together on the
    same database and the same SMTP server."""
    for n in range(5):
        org = OrganizationFactory(slug=f"race-{n}")
        gap_domain(org, f"race{n}.example", "no_record")
        member(org, email=f"owner{n}@race.example")
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_server.port),
    }
    command = [sys.executable, str(ROOT / "manage.py"), "send_digests", "--now", DUE.isoformat()]
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    assert all(process.returncode == 0 for process in processes)
    sent = [int(re.search(r"sent (\d+) digest", out).group(1)) for out in outputs]
    assert sum(sent) == 5, outputs
    smtp_server.wait_for(5)
    assert len(smtp_server.messages) == 5
    assert DigestDelivery.objects.filter(status=DigestStatus.SENT).count() == 5


def test_an_smtp_failure_is_retried_with_back_off_and_never_recorded_as_sent(
    gapped_org, smtp_server
):
    member(gapped_org, email="owner@alpha.example")
    smtp_server.fail_next = 1
    assert send() == "sent 0 digest(s) to 0 recipient(s), 1 failed (retried later)"
    delivery = DigestDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.sent_at) == (DigestStatus.FAILED, 1, None)
    assert delivery.next_attempt_at == DUE + timedelta(minutes=5)
    assert "451" in delivery.last_error
    assert send(DUE + timedelta(minutes=2)) == "sent 0 digest(s) to 0 recipient(s)"
    assert send(DUE + timedelta(minutes=6)) == "sent 1 digest(s) to 1 recipient(s)"
    assert len(smtp_server.wait_for(1)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DigestStatus.SENT, 2)


def test_one_click_unsubscribe_works_without_login_and_stops_the_next_digest(
    gapped_org, smtp_server, client
):
    membership = member(gapped_org, email="owner@alpha.example")
    send()
    (message,) = smtp_server.wait_for(1)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message["List-Unsubscribe"].strip().strip("<>")
    assert url in body_text(message, "plain")
    response = client.post(urlsplit(url).path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    membership.notification_preference.refresh_from_db()
    assert membership.notification_preference.digest == "off"
    assert send(NEXT_WEEK) == "sent 0 digest(s) to 0 recipient(s)"
    assert len(smtp_server.messages) == 1


def test_a_tampered_unsubscribe_link_changes_nothing(gapped_org, smtp_server, client):
    member(gapped_org, email="owner@alpha.example")
    send()
    url = smtp_server.wait_for(1)[0]["List-Unsubscribe"].strip().strip("<>")
    path = urlsplit(url).path.rstrip("/")
    response = client.post(path[:-2] + ("aa" if not path.endswith("aa") else "bb") + "/")
    assert response.status_code == 404
    assert send(NEXT_WEEK) == "sent 1 digest(s) to 1 recipient(s)"


def test_the_next_digest_says_what_is_new_and_what_was_fixed(org, smtp_server):
    fixed = gap_domain(org, "getsfixed.example", "no_record")
    broken_later = gap_domain(org, "breakslater.example", verdict="pass")
    member(org, email="owner@alpha.example")
    send()
    fixed.scan_gaps, broken_later.scan_gaps = [], ["mta_sts_broken"]
    for domain in (fixed, broken_later):  # reports keep coming in
        domain.last_report_at = NEXT_WEEK - timedelta(hours=3)
        domain.save()
    send(NEXT_WEEK)
    second = body_text(smtp_server.wait_for(2)[1])
    new_at, fixed_at = second.index("New since the last digest"), second.index("Fixed since")
    assert "+ breakslater.example: MTA-STS broken" in second[new_at:fixed_at]
    assert "- getsfixed.example: No TLS-RPT record" in second[fixed_at:]
    assert "1 new, 1 fixed" in smtp_server.messages[1]["Subject"]


def test_a_daily_digest_follows_the_members_own_hour(org, smtp_server):
    DomainFactory(organization=org, scan_verdict="pass", last_report_at=DUE)
    membership = member(org, Role.MEMBER, email="member@alpha.example")
    from notify.preferences import preference_for, preference_update

    preference_update(preference=preference_for(membership), digest="daily", digest_hour=9)
    assert send(DUE) == "sent 0 digest(s) to 0 recipient(s)"
    assert send(DUE.replace(hour=9, minute=1)) == "sent 1 digest(s) to 1 recipient(s)"
    assert "Daily TLSMon digest" in smtp_server.wait_for(1)[0]["Subject"]


def test_a_digest_that_cannot_be_built_is_recorded_failed_and_the_others_still_go(
    gapped_org, other_org, smtp_server, monkeypatch
):
    """Our own seam: building one recipient's digest raises (as a bug would)."""
    import notify.digests

    gap_domain(other_org, "other.example", "no_record")
    broken = member(gapped_org, email="owner@alpha.example")
    member(other_org, email="owner@outsider.example")
    real = notify.digests.digest_gather

    def gather(*, membership, due, now):
        if membership.pk == broken.pk:
            raise ValueError("a bug")
        return real(membership=membership, due=due, now=now)

    monkeypatch.setattr(notify.digests, "digest_gather", gather)
    assert send() == "sent 1 digest(s) to 1 recipient(s), 1 failed (retried later)"
    assert [m["To"] for m in smtp_server.wait_for(1)] == ["owner@outsider.example"]
    failed = DigestDelivery.objects.get(membership=broken)
    assert (failed.status, failed.last_error) == (DigestStatus.FAILED, "ValueError: a bug")
