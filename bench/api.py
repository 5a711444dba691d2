"""Read-API benchmark: a 10,000-domain MSP portfolio with 90 days of reports in PostgreSQL, the
coverage, summary, trends and authorizations endpoints under concurrent clients (gunicorn, 2
workers, loopback), the full coverage CSV, and the query plans behind the slowest endpoint.

Run: ``python -m bench.api [--reuse] [--clients 4] [--requests 200]``; see bench/README.md
("api"). Seeding: ``bench.api_seed``; load: ``bench.api_load``; plans: ``bench.api_plans``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import warnings
from collections.abc import Sequence

from bench.api_load import (
    CSV_PATH,
    CSV_TARGET_S,
    Download,
    Measured,
    download_csv,
    print_downloads,
    print_table,
    run_scenario,
    scenarios,
)
from bench.api_plans import print_plans
from bench.api_seed import Portfolio, reuse, row_counts, seed
from bench.gunicorn_intake import MemorySampler, gunicorn_start, gunicorn_stop, wait_healthy
from bench.ingest_db import database_recreate, django_setup, progress

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tlsmon_bench_api"
THROTTLE_RATE = "1000000/minute"
STATIC_WARNING = "No directory at"  # whitenoise: static files are not collected in a checkout


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.api", description=__doc__)
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client threads")
    parser.add_argument("--requests", type=int, default=200, help="measured requests/scenario")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured requests/scenario")
    parser.add_argument("--csv-runs", type=int, default=5, help="full coverage CSV downloads")
    parser.add_argument("--only", default="", help="run the scenarios whose name contains this")
    parser.add_argument("--no-plans", action="store_true", help="skip the EXPLAIN ANALYZE part")
    parser.add_argument("--seed-only", action="store_true", help="seed, print the row counts, stop")
    parser.add_argument("--seed", type=int, default=8460)
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
        help="gunicorn's REDIS_URL (shared cache, as in production); '' for local memory",
    )
    return parser.parse_args(argv)


def _database_exists(url: str) -> bool:
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.OperationalError:
        return False
    return True


def prepare(url: str, *, reuse_data: bool, random_seed: int) -> Portfolio:
    """Django against the bench database, seeded (or reused), migrations applied."""
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,testserver")  # testserver: the plans
    os.environ.setdefault("TLSMON_SSL_REDIRECT", "false")
    os.environ["TLSMON_API_THROTTLE_RATE"] = THROTTLE_RATE
    if reuse_data and _database_exists(url):
        django_setup(url)
        portfolio = reuse()
        if portfolio is not None:
            progress("reusing the seeded bench database")
            return portfolio
        progress("--reuse: the bench database is not seeded; seeding it")
    database_recreate(url)
    django_setup(url)
    progress(f"seeding {url.rsplit('/', 1)[-1]} ...")
    portfolio = seed(seed=random_seed)
    progress(f"seeded in {portfolio.seconds:.0f} s")
    return portfolio


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def _scenarios(port: int, portfolio: Portfolio, args: argparse.Namespace) -> list[Measured]:
    measured = []
    for scenario in scenarios(portfolio.client_slugs):
        if args.only and args.only not in scenario.name and not scenario.baseline:
            continue
        m = run_scenario(
            port,
            portfolio.token,
            scenario,
            requests=args.requests,
            warmup=args.warmup,
            clients=args.clients,
        )
        progress(f"  {scenario.name}: {m.skipped or f'p95 {m.result.percentile(95):.0f} ms'}")
        measured.append(m)
    return measured


def drive(
    url: str, portfolio: Portfolio, args: argparse.Namespace
) -> tuple[list[Measured], list[Download], str]:
    """gunicorn -w 2 on the bench database; every scenario, then the CSV downloads."""
    env = {
        "TLSMON_API_THROTTLE_RATE": THROTTLE_RATE,
        "REDIS_URL": args.redis_url,
        "PYTHONWARNINGS": f"ignore:{STATIC_WARNING}",
    }
    server = gunicorn_start(url, workers=2, env=env)
    downloads: list[Download] = []
    try:
        wait_healthy(server)
        progress(f"gunicorn -w 2 on 127.0.0.1:{server.port}; {args.clients} clients")
        with MemorySampler(server) as memory:
            measured = _scenarios(server.port, portfolio, args)
            if not args.only or args.only in ("csv", "coverage"):
                progress(f"  coverage CSV x{args.csv_runs}")
                downloads = download_csv(server.port, portfolio.token, runs=args.csv_runs)
        peaks = server.peak_rss_mib()
    finally:
        gunicorn_stop(server)
    rss = ", ".join(f"{v:.0f}" for v in peaks.values())
    memory_line = (
        f"gunicorn peak RSS (master, workers): {rss} MiB; bench RSS + gunicorn PSS peaked at "
        f"{memory.peak_mib:.0f} MiB"
    )
    return measured, downloads, memory_line


ALWAYS_EXPLAINED = ("coverage page 100", "coverage summary", "trend 90d")


def _plan_path(m: Measured) -> str:
    """The plain coverage page is explained at page 50 (OFFSET 4,900), the others at page 1."""
    return m.scenario.path.format(page=50 if m.scenario.name == "coverage page 100" else 1)


def _plan_targets(measured: list[Measured], downloads: list[Download]) -> list[tuple[str, str]]:
    """(title, path): the slowest scenario against its target (else by p95), the coverage page,
    the summary and the 90-day trend; the CSV too if it missed its target."""
    ran = [m for m in measured if not m.skipped and not m.scenario.baseline]
    chosen: list[tuple[str, str]] = []
    if ran:

        def load(m: Measured) -> float:
            return m.result.percentile(95) / (m.scenario.target_ms or 1000.0)

        slowest = max(ran, key=load)
        chosen.append((f"slowest: {slowest.scenario.name}", _plan_path(slowest)))
    for m in ran:
        if m.scenario.name in ALWAYS_EXPLAINED:
            chosen.append((m.scenario.name, _plan_path(m)))
    csv_ran = downloads and downloads[0].status != 404
    if csv_ran and max(d.seconds for d in downloads) >= CSV_TARGET_S:
        chosen.append(("coverage CSV", CSV_PATH))
    if not ran:
        paged = [m for m in measured if m.scenario.baseline and "{page}" in m.scenario.path]
        if paged:
            chosen.append((f"(no new endpoint yet) {paged[0].scenario.name}", _plan_path(paged[0])))
    paths: dict[str, str] = {}
    for title, path in chosen:
        paths.setdefault(path, title)
    return [(title, path) for path, title in paths.items()]


def print_results(
    args: argparse.Namespace, measured: list[Measured], downloads: list[Download], loads: tuple
) -> None:
    baseline = next((m for m in measured if m.scenario.name == "baseline: domains page 100"), None)
    baseline_ms = baseline.result.percentile(95) if baseline and not baseline.skipped else None
    print(
        f"\ngunicorn -w 2 (sync), {args.clients} clients, {args.requests} requests per scenario "
        f"after {args.warmup} warm-up; x base = p95 / p95 of the domains page"
    )
    print(f"load before: {loads[0]}\nload after:  {loads[1]}\n")
    print_table(measured, baseline_ms=baseline_ms)
    print_downloads(downloads)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    warnings.filterwarnings("ignore", message=STATIC_WARNING)
    url = os.environ.get("BENCH_API_DATABASE_URL", DEFAULT_DATABASE_URL)
    portfolio = prepare(url, reuse_data=args.reuse, random_seed=args.seed)
    name = url.rsplit("/", 1)[-1]
    print(
        f"bench database {name}: "
        + (f"seeded in {portfolio.seconds:.0f} s" if portfolio.seconds else "reused")
    )
    for table, n in row_counts().items():
        print(f"  {table:<36} {n:>12,}")
    if args.seed_only:
        return 0
    before = uptime()
    measured, downloads, memory_line = drive(url, portfolio, args)
    print_results(args, measured, downloads, (before, uptime()))
    print(memory_line)
    if not args.no_plans:
        for title, path in _plan_targets(measured, downloads):
            print_plans(title, path, portfolio.token)
    return 0


if __name__ == "__main__":
    sys.exit(main())
