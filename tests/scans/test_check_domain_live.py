"""``manage.py check_domain`` end to end: the real resolver against Knot on loopback (chosen
with ``--nameserver``) and the real MTA-STS fetcher built from settings; nothing is patched.

The point: a good TLS-RPT record with an MTA-STS policy host that cannot be reached is verdict
``pass`` (senders still report) with ``mta_sts.status`` ``broken`` (protocol.md section 8b)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from tests.scans.servers import free_port

pytestmark = pytest.mark.live

RECORD = '_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tlsrpt@{zone}"'
MX = ["@ MX 10 mx1", "mx1 A 192.0.2.10"]
STS_TXT = '_mta-sts TXT "v=STSv1; id=20261204"'


def check_domain(dns_server, zone: str, *args: str) -> str:
    host, port = dns_server.nameservers[0]
    out = io.StringIO()
    call_command("check_domain", zone, "--nameserver", f"{host}:{port}", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def closed_policy_port(settings):
    """Policy hosts on loopback are allowed, but nothing listens on the policy port."""
    settings.TLSMON_FETCH_ALLOW_PRIVATE = True
    settings.TLSMON_MTA_STS_PORT = free_port()
    settings.TLSMON_MTA_STS_TIMEOUT = 2.0
    return settings


@pytest.mark.parametrize(
    ("policy_host", "error"),
    [
        pytest.param([], "no address for mta-sts.", id="policy-host-does-not-resolve"),
        pytest.param(["mta-sts A 127.0.0.1"], "", id="policy-host-refuses-connections"),
    ],
)
def test_json_says_pass_and_mta_sts_broken_for_an_unreachable_policy_host(
    dns_server, zone_name, closed_policy_port, policy_host, error
):
    dns_server.set_zone(zone_name, [*MX, RECORD.format(zone=zone_name), STS_TXT, *policy_host])

    data = json.loads(check_domain(dns_server, zone_name, "--json"))

    assert (data["verdict"], data["mta_sts"]["status"]) == ("pass", "broken")
    assert data["gaps"] == ["mta_sts_broken"]
    assert [f["code"] for f in data["mta_sts"]["findings"]] == ["mta_sts_policy_fetch_failed"]
    assert data["findings"] == []
    assert error in data["mta_sts"]["fetch"]["error"] and data["mta_sts"]["fetch"]["error"]


def test_human_output_names_both_axes_and_lists_the_mta_sts_finding(
    dns_server, zone_name, closed_policy_port
):
    dns_server.set_zone(zone_name, [*MX, RECORD.format(zone=zone_name), STS_TXT])

    text = check_domain(dns_server, zone_name)

    assert text.startswith(f"{zone_name}: PASS")
    assert "\nMTA-STS: BROKEN\n" in text
    assert "[warning] mta_sts_policy_fetch_failed:" in text


def test_json_says_mta_sts_absent_without_an_mta_sts_record(dns_server, zone_name):
    dns_server.set_zone(zone_name, [*MX, RECORD.format(zone=zone_name)])

    data = json.loads(check_domain(dns_server, zone_name, "--json"))

    assert (data["verdict"], data["mta_sts"]["status"], data["gaps"]) == (
        "pass",
        "absent",
        ["no_mta_sts"],
    )
