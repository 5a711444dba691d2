"""Settings: production mode passes Django's deployment checks; bad values fail loudly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TLSMON_", "DEBUG"))}
    clean.pop("SECRET_KEY", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "SECRET_KEY": "p" * 20 + "r0duct10n-s3cr3t-k3y-with-enough-entropy-xyzzy",
    "ALLOWED_HOSTS": "tlsmon.example.com",
    "TLSMON_BASE_URL": "https://tlsmon.example.com",
}


def test_production_settings_pass_check_deploy_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_production_without_a_secret_key_refuses_to_start():
    result = manage("check", **{k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "fragment"),
    [
        ("DEBUG", "ture", "DEBUG='ture' is not a boolean"),
        ("EMAIL_PORT", "twenty-five", "EMAIL_PORT='twenty-five' is not a whole number"),
        ("TLSMON_DNS_NAMESERVERS", "dns.example:53", "does not start with an IP address"),
        ("TLSMON_TRUSTED_PROXIES", "proxy.example", "TLSMON_TRUSTED_PROXIES: 'proxy.example'"),
        ("TLSMON_LOGIN_LOCKOUT_STORE", "memcache", "use database or cache"),
        ("TLSMON_REPORT_DKIM", "maybe", "TLSMON_REPORT_DKIM='maybe': use off, record or require"),
        ("TLSMON_IMAP_SECURITY", "tls", "TLSMON_IMAP_SECURITY='tls': use ssl, starttls or plain"),
    ],
)
def test_a_bad_environment_value_stops_with_a_message_naming_it(variable, value, fragment):
    result = manage("check", **{**PRODUCTION, variable: value})
    assert result.returncode != 0
    assert fragment in result.stderr
