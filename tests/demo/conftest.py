"""The demo tests scan against the suite's Knot server (shared fixtures of tests/scans)."""

from tests.scans.conftest import dns_server, dns_settings, zone_name  # noqa: F401
