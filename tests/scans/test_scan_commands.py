"""manage.py scan and manage.py authorization_records, against the loopback DNS server."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Domain
from scans.models import Scan
from tests.factories import DomainFactory
from tests.scans.zones import good_domain, no_record_domain

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_scan_org_scans_its_domains_and_prints_a_summary_per_verdict(
    org, other_org, dns_server, zone_name, dns_settings
):
    dns_server.set_zones(
        {f"a.{zone_name}": no_record_domain(f"a.{zone_name}"), f"b.{zone_name}": []}
    )
    DomainFactory(organization=org, name=f"a.{zone_name}")
    DomainFactory(organization=org, name=f"b.{zone_name}")  # no MX, no address: n/a
    DomainFactory(organization=org, name=f"c.{zone_name}", is_active=False)
    DomainFactory(organization=other_org)

    out, _ = run("scan", "--org", org.slug, "--no-progress")

    assert out.strip() == "scanned 2 domain(s) (fail 1, not_applicable 1); 0 failed"
    assert Scan.objects.count() == 2
    assert set(Scan.objects.values_list("trigger", flat=True)) == {"command"}


def test_scan_shows_a_progress_bar_on_stderr(org, dns_server, zone_name, dns_settings):
    dns_server.set_zone(zone_name, no_record_domain(zone_name))
    DomainFactory(organization=org, name=zone_name)
    _, err = run("scan", "--domain", zone_name.upper())
    assert "1/1" in err


def test_scan_needs_to_be_told_what_to_scan():
    with pytest.raises(CommandError):
        run("scan")


def test_scan_of_an_unknown_organization_is_a_clear_error(org):
    with pytest.raises(CommandError, match="no organization with slug 'nope'"):
        run("scan", "--org", "nope")


def test_authorization_records_prints_zone_lines_with_what_the_last_scan_saw(
    org, settings, dns_server, zone_name, dns_settings
):
    """GIVEN two domains whose records send reports to TLSMon's mailbox domain, one of which
    is authorized under that domain, WHEN both are scanned, THEN the command prints a zone
    line per domain, marked published or MISSING."""
    report_domain = f"r{zone_name.split('.')[0]}.reports.test"
    settings.TLSMON_REPORT_DOMAIN = report_domain
    settings.TLSMON_BASE_URL = f"https://{report_domain}"
    ok, missing = f"ok.{zone_name}", f"missing.{zone_name}"
    rua = f"mailto:token@{report_domain}"
    dns_server.set_zones(
        {
            ok: good_domain(ok, rua=rua),
            missing: good_domain(missing, rua=rua),
            report_domain: [f'{ok}._report._tls TXT "v=TLSRPTv1"'],
        }
    )
    for name in (ok, missing):
        DomainFactory(organization=org, name=name)
    run("scan", "--org", org.slug, "--no-progress")

    out, _ = run("authorization_records")

    lines = [line for line in out.splitlines() if not line.startswith(";")]
    assert f'{ok}._report._tls.{report_domain}. 3600 IN TXT "v=TLSRPTv1" ; published' in lines
    assert f'{missing}._report._tls.{report_domain}. 3600 IN TXT "v=TLSRPTv1" ; MISSING' in lines
    only_missing, _ = run("authorization_records", "--missing-only")
    assert ok not in only_missing and missing in only_missing
    assert Domain.objects.count() == 2


def test_scan_domain_accepts_unicode_names_and_says_what_it_skipped(
    org, dns_server, zone_name, dns_settings
):
    unicode_name = f"bücher.{zone_name}"
    dns_server.set_zones({zone_name: no_record_domain(zone_name)})
    DomainFactory(organization=org, name=zone_name)
    DomainFactory(organization=org, name=f"xn--bcher-kva.{zone_name}", unicode_name=unicode_name)
    DomainFactory(organization=org, name=f"paused.{zone_name}", is_active=False)

    out, err = run(
        "scan",
        "--no-progress",
        "--domain",
        zone_name,
        unicode_name,
        f"unknown.{zone_name}",
        f"paused.{zone_name}",
        "not a domain",
    )

    assert out.startswith("scanned 2 domain(s)")
    assert Scan.objects.filter(domain__name=f"xn--bcher-kva.{zone_name}").exists()
    assert f"skipped 'unknown.{zone_name}': no organization monitors unknown.{zone_name}" in err
    assert f"skipped 'paused.{zone_name}': the domain is paused" in err
    assert "skipped 'not a domain': " in err


def test_scan_org_says_how_many_paused_domains_it_skipped(org, dns_server, zone_name, dns_settings):
    dns_server.set_zones({zone_name: no_record_domain(zone_name)})
    DomainFactory(organization=org, name=zone_name)
    DomainFactory(organization=org, name=f"paused.{zone_name}", is_active=False)
    _, err = run("scan", "--org", org.slug, "--no-progress")
    assert "skipped 1 paused domain(s)" in err


def test_authorization_records_never_puts_an_ip_address_inside_a_dns_name(org, settings):
    """The development defaults: the base URL's host is 127.0.0.1."""
    settings.TLSMON_REPORT_DOMAIN = "reports.tlsmon.localhost"
    settings.TLSMON_BASE_URL = "http://127.0.0.1:8000"
    DomainFactory(organization=org, name="acme.example")

    out, _ = run("authorization_records")

    assert "acme.example._report._tls.reports.tlsmon.localhost. 3600 IN TXT" in out
    assert "._report._tls.127.0.0.1" not in out
    assert "; skipped 127.0.0.1: an IP address" in out
