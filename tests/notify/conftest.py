"""The scan tests' real servers (Knot DNS, the MTA-STS HTTPS server) for alert tests."""

from tests.scans.conftest import (  # noqa: F401 - fixtures
    dns_server,
    dns_settings,
    fetcher,
    mta_sts_server,
    resolver,
    silent_dns_server,
    zone_name,
)
