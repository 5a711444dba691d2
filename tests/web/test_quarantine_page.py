"""The quarantine page: what waits and why, "add this domain", reprocess, and the nav badge."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Domain, Role
from reports.models import Channel, QuarantinedPolicy, ReportPolicy
from reports.services import report_ingest_bytes
from tests.factories import DomainFactory, QuarantinedPolicyFactory
from tests.reports.samples import SAMPLES_DIR
from tests.web.helpers import login

pytestmark = pytest.mark.django_db

SAMPLE = "parsedmarc/smtp_tls.json"  # Google-shaped, example.com, 3 failed sessions


def quarantine_sample(org) -> QuarantinedPolicy:
    """A real report for example.com delivered while the tenant does not own example.com."""
    DomainFactory(organization=org, name="unrelated.example")
    payload = (SAMPLES_DIR / SAMPLE).read_bytes()
    summary = report_ingest_bytes(
        organization=org, payload=payload, channel=Channel.HTTPS, source="test"
    )
    assert summary.quarantined == 1
    return QuarantinedPolicy.objects.get(organization=org)


def quarantine_page(client, org) -> str:
    response = client.get(f"/o/{org.slug}/quarantine/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_lists_what_waits_with_its_reason_and_an_add_button(client, org):
    item = quarantine_sample(org)
    login(client, org, Role.MEMBER)
    page = quarantine_page(client, org)
    row = page.split(f'id="quarantined-{item.pk}"')[1].split("</tr>")[0]
    assert "example.com" in row and item.reason in row
    assert "Add example.com" in row
    assert f'action="/o/{org.slug}/quarantine/{item.pk}/reprocess/"' in row


def test_adding_the_domain_stores_the_report_and_it_shows_on_the_domain_page(client, org):
    item = quarantine_sample(org)
    login(client, org, Role.MEMBER)
    response = client.post(f"/o/{org.slug}/quarantine/{item.pk}/add-domain/", follow=True)
    assert "Added example.com. 1 report(s) stored." in response.content.decode()
    assert 'id="quarantine-empty"' in response.content.decode()
    domain = Domain.objects.get(organization=org, name="example.com")
    stored = ReportPolicy.objects.get(domain=domain)
    assert (stored.successful, stored.failed) == (0, 3)
    page = client.get(f"/o/{org.slug}/domains/{domain.pk}/").content.decode()
    recent = page.split('id="recent-reports"')[1].split("</table>")[0]
    assert f'href="/o/{org.slug}/reports/{stored.report_id}/"' in recent


def test_a_name_another_organization_monitors_is_not_offered_and_not_named(client, org, other_org):
    DomainFactory(organization=other_org, name="example.com")
    item = quarantine_sample(org)
    login(client, org, Role.MEMBER)
    page = quarantine_page(client, org)
    assert "Add example.com" not in page
    assert "monitored by another organization" in page
    assert other_org.name not in page
    response = client.post(f"/o/{org.slug}/quarantine/{item.pk}/add-domain/", follow=True)
    assert "monitored by another organization" in response.content.decode()
    assert not Domain.objects.filter(organization=org, name="example.com").exists()


@pytest.mark.parametrize(
    ("policy_domain", "why"),
    [("", "named no policy-domain"), ("printer.local", "Not a domain that can be monitored")],
)
def test_no_add_button_without_a_valid_name(client, org, policy_domain, why):
    QuarantinedPolicyFactory(organization=org, policy_domain=policy_domain)
    login(client, org, Role.MEMBER)
    page = quarantine_page(client, org)
    assert why in page
    assert 'class="primary add-domain"' not in page


def test_reprocess_stores_it_once_the_domain_was_added_elsewhere(client, org):
    item = quarantine_sample(org)
    domain = DomainFactory(organization=org, name="example.com")
    login(client, org, Role.MEMBER)
    page = quarantine_page(client, org)
    assert "already monitored: reprocess" in page
    response = client.post(f"/o/{org.slug}/quarantine/{item.pk}/reprocess/", follow=True)
    assert "1 report(s) stored." in response.content.decode()
    assert ReportPolicy.objects.filter(domain=domain).count() == 1


def test_reprocess_without_the_domain_leaves_it_waiting(client, org):
    item = quarantine_sample(org)
    login(client, org, Role.MEMBER)
    response = client.post(f"/o/{org.slug}/quarantine/{item.pk}/reprocess/", follow=True)
    assert "it stays in quarantine" in response.content.decode()
    item.refresh_from_db()
    assert item.resolved_at is None


def test_a_viewer_sees_the_quarantine_but_cannot_act(client, org):
    item = quarantine_sample(org)
    login(client, org, Role.VIEWER)
    page = quarantine_page(client, org)
    assert "example.com" in page and "Reprocess" not in page and "Add example.com" not in page
    assert client.post(f"/o/{org.slug}/quarantine/{item.pk}/reprocess/").status_code == 403
    assert client.post(f"/o/{org.slug}/quarantine/{item.pk}/add-domain/").status_code == 403
    assert not Domain.objects.filter(name="example.com").exists()


def test_the_navigation_badge_counts_what_waits_in_one_query(client, org):
    for _ in range(3):
        QuarantinedPolicyFactory(organization=org)
    QuarantinedPolicyFactory(organization=org, resolved_at="2026-05-01T00:00:00Z")
    login(client, org, Role.VIEWER)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/o/{org.slug}/reports/").content.decode()
    assert '<span class="badge" title="3 waiting">3</span>' in page
    badge_queries = [q for q in queries if "reports_quarantinedpolicy" in q["sql"]]
    assert len(badge_queries) == 1


def test_an_empty_quarantine_says_so(client, org):
    login(client, org, Role.VIEWER)
    page = quarantine_page(client, org)
    assert 'id="quarantine-empty"' in page
    assert 'class="badge"' not in page


def test_the_quarantine_pager_links_to_the_older_entries(client, org, monkeypatch):
    monkeypatch.setattr("web.views.quarantine.PAGE_SIZE", 1)
    QuarantinedPolicyFactory.create_batch(2, organization=org)
    login(client, org, Role.VIEWER)
    pager = quarantine_page(client, org).split('class="pager"')[1].split("</nav>")[0]
    assert '<a href="?page=2" rel="next">Older' in pager
    assert "Page 1 of 2" in pager and "Newer" not in pager
