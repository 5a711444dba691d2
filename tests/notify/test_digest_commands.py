"""manage.py send_digests and preview_digest, and the demo digest the quickstart shows."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role, User
from demo.data import DEMO_USER_EMAIL
from notify.models import DigestDelivery
from tests.notify.conftest import DUE, member, send

pytestmark = pytest.mark.django_db


def preview(*args) -> str:
    out = StringIO()
    call_command("preview_digest", *args, stdout=out)
    return out.getvalue()


def test_dry_run_counts_what_is_due_and_sends_nothing(gapped_org, smtp_server):
    member(gapped_org, email="owner@alpha.example")
    assert send(DUE, "--dry-run") == "would have sent 1 digest(s) to 1 recipient(s)"
    assert smtp_server.messages == [] and not DigestDelivery.objects.exists()


def test_org_limits_the_run_to_one_organizations_members(gapped_org, other_org, smtp_server):
    member(gapped_org, email="owner@alpha.example")
    assert send(DUE, "--org", other_org.slug) == "sent 0 digest(s) to 0 recipient(s)"
    assert send(DUE, "--org", gapped_org.slug) == "sent 1 digest(s) to 1 recipient(s)"


def test_bad_arguments_are_refused_with_a_clear_message(db):
    with pytest.raises(CommandError, match="not ISO 8601"):
        call_command("send_digests", "--now", "next monday")
    with pytest.raises(CommandError, match="no organization with slug 'nope'"):
        call_command("send_digests", "--org", "nope")
    with pytest.raises(CommandError, match="no organization"):
        preview("--org", "nope")


def test_preview_prints_the_plain_text_part_without_sending(gapped_org, smtp_server):
    member(gapped_org, Role.VIEWER, email="viewer@alpha.example")
    text = preview("--org", gapped_org.slug, "--user", "viewer@alpha.example")
    assert text.startswith("Subject: Weekly TLSMon digest for Alpha Corp")
    assert "norecord.example" in text
    assert smtp_server.messages == [] and not DigestDelivery.objects.exists()


def test_preview_writes_the_html_part_to_a_file(gapped_org, tmp_path):
    member(gapped_org, email="owner@alpha.example")
    target = tmp_path / "digest.html"
    preview("--org", gapped_org.slug, "--html", str(target))
    assert "<html" in target.read_text() and "norecord.example" in target.read_text()


def test_preview_of_an_organization_without_domains_says_nothing_would_be_sent(org):
    member(org, email="owner@alpha.example")
    with pytest.raises(CommandError, match="has no domains"):
        preview("--org", org.slug)


def test_the_demo_user_is_opted_in_and_the_demo_digest_shows_real_figures(db):
    call_command("seed_demo", password="a-long-demo-password", stdout=StringIO())
    call_command("seed_demo_activity", stdout=StringIO())
    user = User.objects.get(email=DEMO_USER_EMAIL)
    assert user.memberships.get().notification_preference.digest == "weekly"
    text = preview("--org", "demo-msp")
    assert "== Acme Manufacturing (client) ==" in text
    assert "== Globex Health (client) ==" in text
    assert "Top failure types:" in text and "sessions failed" in text
