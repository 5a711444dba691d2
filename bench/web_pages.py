"""Web page benchmark: the organization dashboard and the domain list (several sorts, filters
and a deep page) of the API benchmark's portfolio (10,000 domains, 20 clients, 90 days of
reports, over 2 million failure details; seeded by ``bench.api_seed``), timed in one process
through Django's test client as an MSP owner, with each page's query count.

Run: ``python -m bench.web_pages [--reuse] [--requests 60]``; see bench/README.md ("web_pages").
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from bench.api import STATIC_WARNING, prepare, uptime
from bench.api_seed import MSP_SLUG, row_counts
from bench.gunicorn_intake import Posted

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tlsmon_dash_bench"
TARGET_P95_MS = 300.0


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    api: bool = False  # a baseline: the coverage API, with the bench's read token


def pages(client_slug: str) -> list[Page]:
    domains = f"/o/{MSP_SLUG}/domains/"
    return [
        Page("baseline: API coverage page of 100", "/api/v1/coverage/?page_size=100", api=True),
        Page("dashboard (MSP, 20 clients)", f"/o/{MSP_SLUG}/"),
        Page(f"dashboard (client {client_slug})", f"/o/{client_slug}/"),
        Page("list: name (Unicode order)", domains),
        Page("list: name, page 100", f"{domains}?page=100"),
        Page("list: verdict, worst first", f"{domains}?sort=verdict"),
        Page("list: score", f"{domains}?sort=score"),
        Page("list: failure rate 7 d, highest", f"{domains}?sort=-failure_rate_7d"),
        Page("list: last report, newest", f"{domains}?sort=-last_report_at"),
        Page("list: verdict=fail", f"{domains}?verdict=fail"),
        Page("list: gap=no_record", f"{domains}?gap=no_record"),
        Page("list: has_failures=true, by rate",
             f"{domains}?has_failures=true&sort=-failure_rate_7d"),
        Page("list: mta_sts=broken", f"{domains}?mta_sts=broken"),
        Page("list: tag=vip", f"{domains}?tag=vip"),
        Page(f"list: organization={client_slug}", f"{domains}?organization={client_slug}"),
        Page("list: search=river", f"{domains}?search=river"),
        Page("list: 100 per page", f"{domains}?page_size=100&sort=-failure_rate_7d"),
    ]  # fmt: skip


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.web_pages", description=__doc__)
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    parser.add_argument("--requests", type=int, default=60, help="measured requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured requests per page")
    parser.add_argument("--only", default="", help="the pages whose name contains this")
    parser.add_argument("--seed", type=int, default=8460)
    return parser.parse_args(argv)


def _owner_client():
    """A test client logged in as an owner of the bench MSP (created once)."""
    from django.test import Client

    from accounts.models import Organization, Role, User
    from accounts.services import membership_set

    user = User.objects.filter(email="owner@bench-web.example").first()
    if user is None:
        user = User.objects.create_user("owner@bench-web.example", "bench-web-not-secret")
    membership_set(user=user, organization=Organization.objects.get(slug=MSP_SLUG), role=Role.OWNER)
    client = Client()
    client.force_login(user)
    return client


def _queries(client, path: str, headers: dict) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(path, **headers)
    return len(captured)


@dataclass
class Measured:
    latencies: Posted  # wall time of each request
    cpu: Posted  # this process's CPU time of each request (steadier on a busy machine)
    queries: int
    size: int


def measure(client, page: Page, *, requests: int, warmup: int, token: str) -> Measured:
    """Times ``requests`` GETs of ``page`` after ``warmup``; every answer must be a 200."""
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if page.api else {}
    for _ in range(warmup):
        client.get(page.path, **headers)
    wall, cpu, size = Posted(0.0), Posted(0.0), 0
    for _ in range(requests):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(page.path, **headers)
        wall.latencies.append(time.perf_counter() - start)
        cpu.latencies.append(time.process_time() - start_cpu)
        if response.status_code != 200:
            raise SystemExit(f"{page.name}: {page.path} answered {response.status_code}")
        size = len(response.content)
    return Measured(wall, cpu, _queries(client, page.path, headers), size)


def _plain_static_files() -> None:
    """Templates resolve static files unhashed: a checkout has no collected manifest."""
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    warnings.filterwarnings("ignore", message=STATIC_WARNING)
    url = os.environ.get("BENCH_WEB_DATABASE_URL", DEFAULT_DATABASE_URL)
    portfolio = prepare(url, reuse_data=args.reuse, random_seed=args.seed)
    _plain_static_files()
    print(f"bench database {url.rsplit('/', 1)[-1]}: " + (
        f"seeded in {portfolio.seconds:.0f} s" if portfolio.seconds else "reused"
    ))  # fmt: skip
    for table, n in row_counts().items():
        print(f"  {table:<36} {n:>12,}")
    client = _owner_client()
    print(f"before: {uptime()}")
    print(
        f"{'page':<42} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'cpu p50':>7} {'x base':>6} "
        f"{'queries':>7} {'KiB':>6}"
    )
    baseline = None
    missed = []
    for page in pages(portfolio.client_slugs[0]):
        if args.only and args.only not in page.name and not page.api:
            continue
        m = measure(client, page, requests=args.requests, warmup=args.warmup, token=portfolio.token)
        p95 = m.latencies.percentile(95)
        baseline = baseline or p95
        if p95 >= TARGET_P95_MS and not page.api:
            missed.append(page.name)
        print(
            f"{page.name:<42} {m.latencies.percentile(50):>7.0f} {p95:>7.0f} "
            f"{max(m.latencies.latencies) * 1000:>7.0f} {m.cpu.percentile(50):>7.0f} "
            f"{p95 / baseline:>6.1f} {m.queries:>7} {m.size / 1024:>6.0f}",
            flush=True,
        )
    print(f"after: {uptime()}")
    print(
        f"target p95 < {TARGET_P95_MS:.0f} ms: "
        + ("missed by " + ", ".join(missed) if missed else "met")
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
