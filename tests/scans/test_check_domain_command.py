"""``manage.py check_domain`` output shapes, with the fakes patched in at our own seams
(``scans.dns.get_resolver``, ``scans.https.get_policy_fetcher``). No database is used: the
tests are not marked ``django_db``, so any query would fail them. Real-server runs of the
checker live in test_dns_live.py and test_https_live.py."""

from __future__ import annotations

import io
import json
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from scans.management.commands.check_domain import parse_nameserver
from tests.scans.fakes import (
    ENFORCE_POLICY,
    FakeFetcher,
    healthy_resolver,
    nxdomain,
    policy,
)

D = "example.com"


def run(*args, resolver=None, fetcher=None) -> str:
    resolver = resolver or healthy_resolver()
    fetcher = fetcher or FakeFetcher({D: policy(D, ENFORCE_POLICY)})
    out = io.StringIO()
    with (
        mock.patch("scans.dns.get_resolver", return_value=resolver),
        mock.patch("scans.https.get_policy_fetcher", return_value=fetcher),
    ):
        call_command("check_domain", *args, stdout=out)
    return out.getvalue()


def test_json_is_exactly_one_object_with_the_documented_keys():
    data = json.loads(run("Example.COM.", "--json"))
    assert {"domain", "verdict", "score", "findings", "records", "mx", "mta_sts"} <= set(data)
    assert {"external_authorizations", "gaps", "rua", "timings_ms"} <= set(data)
    assert (data["domain"], data["verdict"], data["score"]) == (D, "pass", 100)
    assert (data["score_note"], data["resolver"]) == (None, "fake resolver (system resolver)")


def test_a_domain_that_does_not_exist_has_no_score_and_says_why():
    data = json.loads(run(D, "--json", resolver=healthy_resolver().set("MX", nxdomain(D))))
    assert (data["verdict"], data["score"]) == ("not_applicable", None)
    assert data["score_note"].startswith("no score: TLS-RPT does not apply")
    text = run(D, resolver=healthy_resolver().set("MX", nxdomain(D)))
    assert text.startswith(f"{D}: NOT_APPLICABLE (no score: TLS-RPT does not apply")


def test_json_findings_carry_code_severity_message_and_fix():
    resolver = healthy_resolver().set("TXT", nxdomain(f"_smtp._tls.{D}"))
    data = json.loads(run(D, "--json", resolver=resolver))
    [finding] = data["findings"]
    assert set(finding) == {"code", "severity", "message", "fix"}
    assert (finding["code"], finding["severity"], data["verdict"]) == (
        "missing_record",
        "critical",
        "fail",
    )


def test_human_output_shows_verdict_score_records_and_fixes():
    resolver = healthy_resolver().set("TXT", nxdomain(f"_smtp._tls.{D}"))
    text = run(D, resolver=resolver)
    assert text.startswith(f"{D}: FAIL (score 0/100)\nResolver: fake resolver (system resolver)")
    assert "_mta-sts TXT: v=STSv1; id=20260101" in text
    assert "[critical] missing_record:" in text
    assert f'fix: Publish exactly one record: _smtp._tls.{D}. 3600 IN TXT "v=TLSRPTv1;' in text


@pytest.mark.parametrize(
    "name", ["", "https://example.com/", "postmaster@example.com", "com", "exa mple.com"]
)
def test_bad_names_are_a_command_error(name):
    with pytest.raises(CommandError):
        run(name)


def test_nameserver_option_builds_a_resolver_for_that_server():
    resolver = healthy_resolver()
    with (
        mock.patch("scans.dns.build_resolver", return_value=resolver) as build,
        mock.patch("scans.https.get_policy_fetcher", return_value=FakeFetcher()) as fetcher,
    ):
        call_command("check_domain", D, "--nameserver", "127.0.0.1:5353", stdout=io.StringIO())
    assert build.call_args.args == ([("127.0.0.1", 5353)],)
    fetcher.assert_called_once_with(resolver)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("192.0.2.53", ("192.0.2.53", 53), id="default-port"),
        pytest.param("127.0.0.1:5353", ("127.0.0.1", 5353), id="host-port"),
        pytest.param("[::1]:5353", ("::1", 5353), id="ipv6-bracketed"),
        pytest.param("::1", ("::1", 53), id="ipv6-bare"),
        pytest.param("ns.example.net:53", ("ns.example.net", 53), id="name"),
    ],
)
def test_parse_nameserver(text, expected):
    assert parse_nameserver(text) == expected


@pytest.mark.parametrize("text", ["127.0.0.1:x", "127.0.0.1:0", ":53", "[::1]x", "h:70000"])
def test_parse_nameserver_rejects_bad_input(text):
    with pytest.raises(CommandError):
        parse_nameserver(text)
