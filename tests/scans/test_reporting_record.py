"""The one record a domain publishes to send reports to TLSMon, from its latest scan (pure)."""

from __future__ import annotations

from scans.mta_sts import parse_sts_policy, parse_sts_txt, uncovered_hosts
from scans.reporting_record import Stage, publish_plan

TLSMON = ("mailto:abc@reports.tlsmon.example", "https://tlsmon.example/tlsrpt/abc/")
HOSTS = ("reports.tlsmon.example", "tlsmon.example")


def scanned(verdict="pass", smtp_tls=(), authorizations=(), sts_findings=()):
    return {
        "verdict": verdict,
        "records": {"smtp_tls": list(smtp_tls)},
        "external_authorizations": list(authorizations),
        "mta_sts": {"status": "absent", "findings": list(sts_findings)},
    }


def plan(result):
    return publish_plan("shop.example", result, tlsmon_rua=TLSMON, tlsmon_hosts=HOSTS)


def test_before_the_scan_the_record_names_tlsmon_and_is_marked_preliminary():
    result = plan(None)
    assert result.stage is Stage.PRELIMINARY
    assert result.zone_line == (
        '_smtp._tls.shop.example. 3600 IN TXT "v=TLSRPTv1; '
        'rua=mailto:abc@reports.tlsmon.example,https://tlsmon.example/tlsrpt/abc/"'
    )


def test_the_record_keeps_the_existing_destinations_first_and_adds_tlsmon():
    existing = "v=TLSRPTv1; rua=mailto:tls@vendor.example"
    result = plan(scanned(smtp_tls=[existing]))
    assert result.stage is Stage.FINAL
    assert result.kept == ("mailto:tls@vendor.example",)
    assert "rua=mailto:tls@vendor.example,mailto:abc@reports.tlsmon.example,https://" in (
        result.zone_line
    )


def test_two_competing_records_merge_into_one_suggestion():
    records = ["v=TLSRPTv1; rua=mailto:a@one.example", "v=TLSRPTv1; rua=mailto:b@two.example"]
    result = plan(scanned("fail", smtp_tls=records))
    assert result.kept == ("mailto:a@one.example", "mailto:b@two.example")
    assert result.zone_line.count("v=TLSRPTv1") == 1


def test_a_domain_already_sending_to_tlsmon_has_nothing_to_publish():
    record = f"v=TLSRPTv1; rua={','.join(TLSMON)}"
    result = plan(scanned(smtp_tls=[record]))
    assert (result.stage, result.zone_line) == (Stage.DONE, "")


def test_a_domain_without_mail_gets_no_record_at_all():
    result = plan(scanned("not_applicable"))
    assert (result.stage, result.zone_line, result.mta_sts) == (Stage.NO_MAIL, "", None)


def test_a_dns_error_keeps_the_tlsmon_record_with_its_caveat():
    assert plan(scanned("error")).stage is Stage.UNREADABLE


def test_the_mta_sts_policy_and_record_are_offered_apart_when_the_domain_has_none():
    """Each part is exactly what goes in the file or the zone: nothing to trim after copying."""
    missing = {"code": "mta_sts_companion_missing", "severity": "info", "fix": "Serve ..."}
    result = scanned(sts_findings=[missing])
    result["mx"] = {"kind": "normal", "hosts": ["mx1.shop.example", "mx2.shop.example"]}
    sts = publish_plan(
        "shop.example", result, tlsmon_rua=TLSMON, tlsmon_hosts=HOSTS, sts_id="20261204"
    ).mta_sts
    assert sts.policy_url == "https://mta-sts.shop.example/.well-known/mta-sts.txt"
    assert sts.policy == (
        "version: STSv1\nmode: testing\nmx: mx1.shop.example\nmx: mx2.shop.example\n"
        "max_age: 86400\n"
    )
    assert sts.txt_line == '_mta-sts.shop.example. 3600 IN TXT "v=STSv1; id=20261204"'
    # What TLSMon's own checks would then read: a valid policy covering both MX hosts.
    policy = parse_sts_policy(sts.policy)
    assert (
        policy.valid and uncovered_hosts(policy.mx, ["mx1.shop.example", "mx2.shop.example"]) == []
    )
    assert parse_sts_txt(sts.txt_line.split(" TXT ")[1].strip('"')).valid


def test_a_domain_with_mta_sts_is_offered_no_mta_sts_records():
    assert plan(scanned()).mta_sts is None


def test_a_result_stored_before_tlsmon_hosts_were_looked_up_has_them_once_the_record_names_tlsmon():
    seen = {"rua_host": "reports.tlsmon.example", "is_tlsmon": True, "status": "missing"}
    result = plan(scanned(authorizations=[seen]))
    by_host = {auth.host: auth for auth in result.authorizations}
    assert by_host["reports.tlsmon.example"].status == "missing"
    assert by_host["reports.tlsmon.example"].zone_line == (
        'shop.example._report._tls.reports.tlsmon.example. 3600 IN TXT "v=TLSRPTv1;"'
    )
    assert by_host["tlsmon.example"].status is None  # that scan did not look it up


def test_the_operator_authorization_status_comes_from_the_scan_before_the_record_names_tlsmon():
    looked_up = [
        {"host": "reports.tlsmon.example", "status": "authorized"},
        {"host": "tlsmon.example", "status": "missing"},
    ]
    result = plan({**scanned(verdict="fail"), "tlsmon_authorizations": looked_up})
    assert result.stage is Stage.FINAL
    assert [(auth.host, auth.status) for auth in result.authorizations] == [
        ("reports.tlsmon.example", "authorized"),
        ("tlsmon.example", "missing"),
    ]
