"""The report admin shows JSON columns as text an operator can read, not one-line blobs."""

from __future__ import annotations

import pytest

from reports import services
from reports.models import Channel, QuarantinedPolicy, ReportPolicy
from tests.reports.conftest import sample_bytes

pytestmark = pytest.mark.django_db

PRE = '<pre style="white-space: pre-wrap; margin: 0">'


def _ingest(org, relative: str) -> None:
    services.report_ingest_bytes(
        organization=org, payload=sample_bytes(relative), channel=Channel.FILE, source=relative
    )


def test_a_quarantined_policy_shows_its_policy_indented_and_editable_by_no_one(admin_client, org):
    _ingest(org, "parsedmarc/smtp_tls.json")  # example.com is not the organization's
    held = QuarantinedPolicy.objects.filter(policy_domain="example.com").first()

    page = admin_client.get(f"/admin/reports/quarantinedpolicy/{held.pk}/change/")

    html = page.content.decode()
    assert f"{PRE}{{\n  &quot;" in html  # an indented object, one key per line
    assert "\n  &quot;policy_type&quot;: &quot;sts&quot;,\n" in html
    assert "\n    &quot;mode: testing&quot;,\n" in html
    assert "<textarea" not in html  # shown, not offered as a JSON form field


def test_a_policy_lists_its_policy_strings_one_per_line(admin_client, org, own):
    own(org, "example.com")
    _ingest(org, "parsedmarc/smtp_tls.json")
    policy = ReportPolicy.objects.filter(policy_type="sts").first()

    html = admin_client.get(f"/admin/reports/reportpolicy/{policy.pk}/change/").content.decode()

    assert f"{PRE}version: STSv1\nmode: testing\nmx: example.com\nmax_age: 86400</pre>" in html
