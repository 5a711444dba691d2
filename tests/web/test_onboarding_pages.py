"""Onboarding: paste domains into an organization, read every row's outcome, copy the record
to publish (keeping the domain's own destinations), watch the first scans finish."""

from __future__ import annotations

import html
import re

import pytest

from accounts.models import Domain, Organization, Role
from scans.models import Scan, ScanStatus
from tests.factories import DomainFactory, OrganizationFactory
from tests.scans.conftest import dns_server, dns_settings, zone_name  # noqa: F401  (fixtures)
from tests.web.helpers import login

pytestmark = pytest.mark.django_db


def add(client, org, names, **extra):
    return client.post(f"/o/{org.slug}/domains/add/", {"names": names, **extra}, follow=True)


def field_errors(page: str, field: str) -> str:
    block = page.split(f'id="field-{field}"')[1].split("</p>")[0]
    return " ".join(re.findall(r"<li>(.*?)</li>", block))


def test_an_empty_list_is_an_error_on_the_domains_field(client, org):
    login(client, org, Role.MEMBER)
    page = add(client, org, "\n  \n# only a comment\n").content.decode()
    assert field_errors(page, "names") == "Enter at least one domain name."
    assert not Domain.objects.exists()


def test_a_list_over_the_row_limit_is_refused_whole_with_the_limit_named(client, org, settings):
    settings.TLSMON_BULK_MAX_ROWS = 2
    login(client, org, Role.MEMBER)
    page = add(client, org, "a.example\nb.example\nc.example", tags="eu").content.decode()
    assert "3 rows: at most 2 at a time" in field_errors(page, "names")
    assert "a.example\nb.example\nc.example</textarea>" in page  # nothing typed is lost
    assert not Domain.objects.exists()


def test_every_row_is_reported_added_already_present_or_invalid(client, org):
    old = DomainFactory(organization=org, name="old.example")
    login(client, org, Role.MEMBER)
    response = add(client, org, "new.example\nOLD.example.\nnot a domain\nnew.example")
    page = response.content.decode()
    rows = re.findall(r'<tr class="row-(\w+)">', page)
    assert rows == ["created", "present", "invalid", "present"]
    assert "1 added</strong>, 2 already present, 1 invalid" in page
    assert f'href="/o/{org.slug}/domains/{old.pk}/">old.example</a>' in page
    assert "Invalid</span> " in page and "not a domain" in page
    new = Domain.objects.get(organization=org, name="new.example")
    assert Scan.objects.filter(domain=new, status=ScanStatus.QUEUED, trigger="web").count() == 1
    assert not Scan.objects.filter(domain=old).exists()


def test_csv_rows_carry_their_own_tags_besides_the_forms_tags(client, org):
    login(client, org, Role.MEMBER)
    add(client, org, "domain,tags\nshop.example,retail\nmail.example", tags="eu")
    tags = {d.name: {t.name for t in d.tags.all()} for d in Domain.objects.all()}
    assert tags == {"shop.example": {"eu", "retail"}, "mail.example": {"eu"}}


def test_a_tag_too_long_is_an_error_on_the_tags_field_and_adds_nothing(client, org):
    login(client, org, Role.MEMBER)
    page = add(client, org, "a.example", tags="x" * 60).content.decode()
    assert "is longer than 50" in field_errors(page, "tags")
    assert not Domain.objects.exists()


def test_a_viewer_sees_no_form_and_cannot_add(client, org):
    login(client, org, Role.VIEWER)
    assert 'id="add-domains"' not in client.get(f"/o/{org.slug}/domains/add/").content.decode()
    assert client.post(f"/o/{org.slug}/domains/add/", {"names": "x.example"}).status_code == 403
    assert not Domain.objects.exists()


def test_an_msp_admin_adds_into_a_client_and_hears_where_else_the_name_is_monitored(
    client, msp, client_org
):
    second = OrganizationFactory(name="Client Two", slug="client-two", managed_by=msp)
    DomainFactory(organization=second, name="shared.example")
    login(client, msp, Role.ADMIN)
    response = add(client, msp, "shared.example", organization=client_org.slug)
    assert response.redirect_chain[-1][0].startswith(f"/o/{client_org.slug}/domains/add/")
    assert Domain.objects.get(name="shared.example", organization=client_org)
    assert "also monitored in Client Two" in response.content.decode()


def test_the_msp_chooses_between_itself_and_its_clients_itself_first(client, msp, client_org):
    login(client, msp, Role.ADMIN)
    page = client.get(f"/o/{msp.slug}/domains/add/?organization={client_org.slug}").content
    options = re.findall(r'<option value="([\w-]+)"( selected)?', page.decode())
    assert options == [(msp.slug, ""), (client_org.slug, " selected")]


def test_a_member_cannot_aim_the_form_at_an_organization_out_of_reach(client, org, other_org):
    login(client, org, Role.MEMBER)
    page = add(client, org, "x.example", organization=other_org.slug).content.decode()
    assert "Select a valid choice" in page
    assert not Domain.objects.exists()


def test_before_the_scan_finishes_the_record_is_preliminary_and_the_page_follows_progress(
    client, org
):
    login(client, org, Role.MEMBER)
    response = add(client, org, "wait.example")
    page = response.content.decode()
    assert 'data-stage="preliminary"' in page
    assert f"rua={org.report_mailto}" in page
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    assert "no-store" in response["Cache-Control"]  # the record carries the report token
    status_url = response.redirect_chain[-1][0] + "status/"
    assert client.get(status_url).json() == {"total": 1, "finished": 0, "pending": True}


def test_another_user_cannot_open_my_result_page(client, org):
    login(client, org, Role.MEMBER)
    url = add(client, org, "mine.example").redirect_chain[-1][0]
    login(client, org, Role.ADMIN)
    assert client.get(url).status_code == 404
    assert client.get(url + "status/").status_code == 404


@pytest.fixture
def scanned(client, org, dns_settings, tasks_in_process, django_capture_on_commit_callbacks):  # noqa: F811
    """Adds the names as a member; the on-add scans run in process against Knot."""

    def run(names: str):
        login(client, org, Role.MEMBER)
        with django_capture_on_commit_callbacks(execute=True):
            posted = client.post(f"/o/{org.slug}/domains/add/", {"names": names})
        return client.get(posted["Location"], follow=True)

    return run


def test_the_record_keeps_the_existing_rua_and_adds_the_organizations_address(
    scanned,
    org,
    dns_server,  # noqa: F811
    zone_name,  # noqa: F811
):
    dns_server.set_zone(
        zone_name,
        [
            f"@ MX 10 mx1.{zone_name}.",
            "mx1 A 192.0.2.10",
            '_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tls@reports.thirdparty.example"',
        ],
    )
    page = scanned(zone_name).content.decode()
    assert 'data-stage="final"' in page
    destinations = ",".join(["mailto:tls@reports.thirdparty.example", *org.report_destinations])
    record = f"_smtp._tls.{zone_name}. 3600 IN TXT &quot;v=TLSRPTv1; rua={destinations}&quot;"
    assert record in page
    assert page.count(f"_smtp._tls.{zone_name}. 3600 IN TXT") == 1  # one suggestion, no other
    assert "Checking the new domains" not in page
    assert 'title="pass">Pass</span>' in page  # the verdict, with its human label


def test_a_null_mx_domain_gets_no_record_to_publish(scanned, dns_server, zone_name):  # noqa: F811
    dns_server.set_zone(zone_name, ["@ MX 0 ."])
    page = scanned(zone_name).content.decode()
    assert 'data-stage="no_mail"' in page
    assert "_smtp._tls." not in page.split('id="rows"')[1]
    assert 'title="not_applicable">Not applicable</span>' in page


def test_a_domain_without_mta_sts_is_told_the_records_to_add(scanned, dns_server, zone_name):  # noqa: F811
    dns_server.set_zone(zone_name, [f"@ MX 10 mx1.{zone_name}.", "mx1 A 192.0.2.10"])
    page = scanned(zone_name).content.decode()
    assert "No MTA-STS yet" in page
    # Two boxes to copy, each exactly the file or the record: no sentence around them.
    assert f'">version: STSv1\nmode: testing\nmx: mx1.{zone_name}\nmax_age: 86400\n</pre>' in page
    assert re.search(
        rf'">_mta-sts\.{re.escape(zone_name)}\. 3600 IN TXT &quot;v=STSv1; id=\d{{8}}&quot;</pre>',
        page,
    )


def test_a_new_domain_hears_whether_tlsmons_side_authorization_exists_before_publishing(
    scanned,
    settings,
    dns_server,  # noqa: F811
    zone_name,  # noqa: F811
):
    """The domain has no record yet; TLSMon's mailbox host authorizes it, its HTTPS host
    (not a DNS name here: the base URL is an IP) is not offered at all."""
    settings.TLSMON_REPORT_DOMAIN = f"reports-{zone_name.split('.')[0]}.example"
    dns_server.set_zone(zone_name, [f"@ MX 10 mx1.{zone_name}.", "mx1 A 192.0.2.10"])
    auth_name = f"{zone_name}._report._tls.{settings.TLSMON_REPORT_DOMAIN}"
    dns_server.set_zone(settings.TLSMON_REPORT_DOMAIN, [f'{auth_name}. TXT "v=TLSRPTv1;"'])
    page = scanned(zone_name).content.decode()
    assert 'data-stage="final"' in page
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert "Authorization on TLSMon's side: Authorized\n" in text
    assert f'{auth_name}. 3600 IN TXT "v=TLSRPTv1;": Authorized' in text

    dns_server.set_zone(settings.TLSMON_REPORT_DOMAIN, ["@ MX 10 mx"])  # the operator forgot it
    other = f"b{zone_name}"
    dns_server.set_zone(other, [f"@ MX 10 mx1.{other}.", "mx1 A 192.0.2.10"])
    text = html.unescape(re.sub(r"<[^>]+>", "", scanned(other).content.decode()))
    assert "Authorization on TLSMon's side: Missing\n" in text


def test_check_again_respects_the_cooldown_then_queues_a_new_scan(
    scanned,
    client,
    settings,
    dns_server,  # noqa: F811
    zone_name,  # noqa: F811
):
    dns_server.set_zone(zone_name, ["@ MX 0 ."])
    url = scanned(zone_name).request["PATH_INFO"]
    page = client.post(url, follow=True).content.decode()
    assert "(1 checked under a minute ago: that result stands)" in page
    assert Scan.objects.count() == 1
    settings.TLSMON_SCAN_COOLDOWN_SECONDS = 0
    client.post(url)
    assert Scan.objects.count() == 2


def test_a_viewer_cannot_check_again(client, org):
    login(client, org, Role.MEMBER)
    url = add(client, org, "mine.example").redirect_chain[-1][0]
    org.memberships.update(role=Role.VIEWER)  # same session and batch, lower role
    assert client.post(url).status_code == 403


# --- clients ---------------------------------------------------------------------------------


def test_an_msp_admin_creates_a_client_then_adds_its_domains(client, msp):
    login(client, msp, Role.ADMIN)
    response = client.post(
        f"/o/{msp.slug}/clients/add/", {"name": "Acme Retail", "scan_interval_hours": "12"}
    )
    created = Organization.objects.get(name="Acme Retail")
    assert (created.managed_by, created.scan_interval_hours) == (msp, 12)
    assert response["Location"] == f"/o/{msp.slug}/domains/add/?organization={created.slug}"


def test_a_client_form_error_is_shown_on_its_field(client, msp):
    login(client, msp, Role.ADMIN)
    page = client.post(
        f"/o/{msp.slug}/clients/add/", {"name": "", "scan_interval_hours": "0"}
    ).content.decode()
    assert field_errors(page, "name") == "This field is required."
    assert "greater than or equal to 1" in field_errors(page, "scan_interval_hours")
    assert not Organization.objects.filter(managed_by=msp).exists()


def test_a_taken_name_gets_the_next_free_address(client, msp, other_org):
    login(client, msp, Role.ADMIN)
    client.post(f"/o/{msp.slug}/clients/add/", {"name": "Outsider", "scan_interval_hours": "24"})
    assert Organization.objects.get(name="Outsider", managed_by=msp).slug == "outsider-2"


def test_members_and_clients_cannot_create_clients(client, msp, client_org):
    login(client, msp, Role.MEMBER)
    assert client.get(f"/o/{msp.slug}/clients/add/").status_code == 403
    login(client, client_org, Role.OWNER)
    body = {"name": "Sub", "scan_interval_hours": "24"}
    assert client.post(f"/o/{client_org.slug}/clients/add/", body).status_code == 403
    assert not Organization.objects.filter(managed_by=client_org).exists()


def test_the_new_client_link_shows_for_msp_admins_only(client, msp, client_org):
    login(client, msp, Role.ADMIN)
    assert 'id="new-client"' in client.get(f"/o/{msp.slug}/domains/add/").content.decode()
    login(client, client_org, Role.ADMIN)
    page = client.get(f"/o/{client_org.slug}/domains/add/").content.decode()
    assert 'id="new-client"' not in page
