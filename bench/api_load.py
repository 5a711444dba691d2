"""Drive the read API with concurrent clients over loopback and report latency per scenario.

The scenarios are data (``scenarios``): a path (``{page}`` is filled with a random page in
range, learnt from the first answer's ``count``), the p95 target if there is one, and whether
it is the baseline. A scenario whose first request answers 404 is listed as not available, so
endpoints that do not exist yet are skipped and picked up as soon as they do. Each client is a
thread with its own ``http.client`` connection (gunicorn's sync workers close it after every
response; ``http.client`` reconnects). Latency is time to the last byte of the body.
"""

from __future__ import annotations

import http.client
import json
import math
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from bench.gunicorn_intake import Posted

PAGE_SIZE = 100
COVERAGE_P95_MS = 150.0
TREND_P95_MS = 150.0
SUMMARY_P95_MS = 100.0
CSV_TARGET_S = 5.0
CSV_LINES = 10_001  # 10,000 domains + header


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str  # may contain "{page}"
    target_ms: float | None = None  # p95
    baseline: bool = False


def scenarios(client_slugs: list[str]) -> list[Scenario]:
    """Every measured request shape; the first client is the ``organization=`` filter."""
    page = f"page_size={PAGE_SIZE}&page={{page}}"
    org = client_slugs[0] if client_slugs else "none"
    cov, trend = "/api/v1/coverage/", "/api/v1/trends/?days=90"
    return [
        Scenario("baseline: organizations", "/api/v1/organizations/", baseline=True),
        Scenario("baseline: domains page 100", f"/api/v1/domains/?{page}", baseline=True),
        Scenario("coverage page 100", f"{cov}?{page}", COVERAGE_P95_MS),
        *(
            Scenario(f"coverage {query}", f"{cov}?{page}&{query}", COVERAGE_P95_MS)
            for query in (
                "verdict=fail",
                "gap=no_record",
                "ordering=-failed_7d",
                "has_failures=true",
                f"organization={org}",
            )
        ),
        Scenario("coverage summary", f"{cov}summary/", SUMMARY_P95_MS),
        Scenario("trend 90d", trend, TREND_P95_MS),
        Scenario("trend 90d interval=week", f"{trend}&interval=week", TREND_P95_MS),
        *(
            Scenario(f"trend 90d group_by={key}", f"{trend}&group_by={key}", TREND_P95_MS)
            for key in ("result_type", "receiving_mx", "reporter", "domain")
        ),
        Scenario(f"trend 90d organization={org}", f"{trend}&organization={org}", TREND_P95_MS),
        Scenario("authorizations page 100", f"/api/v1/authorizations/?{page}"),
        Scenario("authorizations summary", "/api/v1/authorizations/summary/"),
    ]  # fmt: skip


CSV_PATH = "/api/v1/coverage/?format=csv"


@dataclass
class Measured:
    """One scenario's outcome; ``skipped`` says why it was not run."""

    scenario: Scenario
    result: Posted = field(default_factory=lambda: Posted(wall_seconds=0.0))
    pages: int = 1
    body_bytes: int = 0
    errors: list[str] = field(default_factory=list)
    skipped: str = ""

    @property
    def error_count(self) -> int:
        return sum(n for status, n in self.result.statuses.items() if status != 200)


class Client:
    """One persistent loopback connection carrying the bearer token."""

    def __init__(self, port: int, token: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = {"Authorization": f"Bearer {token}", "User-Agent": "tlsmon-bench"}

    def get(self, path: str) -> tuple[int | str, bytes, float]:
        """(status, body, seconds to the last byte); transport errors come back as a status."""
        began = time.perf_counter()
        try:
            self.connection.request("GET", path, headers=self.headers)
            response = self.connection.getresponse()
            body = response.read()
            status: int | str = response.status
        except (OSError, http.client.HTTPException) as exc:
            self.connection.close()
            status, body = type(exc).__name__, b""
        return status, body, time.perf_counter() - began

    def close(self) -> None:
        self.connection.close()


def _pages(body: bytes) -> int:
    try:
        count = json.loads(body).get("count")
    except (ValueError, AttributeError):
        return 1
    return max(1, math.ceil(count / PAGE_SIZE)) if isinstance(count, int) else 1


def _worker(
    port: int, token: str, measured: Measured, pending: list[int], lock: threading.Lock, seed: int
) -> None:
    client, rng = Client(port, token), random.Random(seed)
    latencies, statuses, errors, size = [], Counter(), [], 0
    while True:
        with lock:
            if not pending:
                break
            pending.pop()
        path = measured.scenario.path.format(page=rng.randint(1, measured.pages))
        status, body, seconds = client.get(path)
        latencies.append(seconds)
        statuses[status] += 1
        size += len(body)
        if status != 200 and len(errors) < 3:
            errors.append(f"{status} {path}: {body[:200]!r}")
    client.close()
    with lock:
        measured.result.latencies.extend(latencies)
        measured.result.statuses.update(statuses)
        measured.errors.extend(errors)
        measured.body_bytes += size


def _round(port: int, token: str, measured: Measured, count: int, clients: int) -> float:
    lock, pending = threading.Lock(), list(range(count))
    threads = [
        threading.Thread(
            target=_worker, args=(port, token, measured, pending, lock, n), daemon=True
        )
        for n in range(clients)
    ]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began


def run_scenario(
    port: int, token: str, scenario: Scenario, *, requests: int, warmup: int, clients: int
) -> Measured:
    """Probe (404 -> skipped), warm up, then ``requests`` requests from ``clients`` threads."""
    measured = Measured(scenario)
    probe = Client(port, token)
    status, body, _ = probe.get(scenario.path.format(page=1))
    probe.close()
    if status == 404:
        measured.skipped = "404 (endpoint not available)"
        return measured
    measured.pages = _pages(body) if "{page}" in scenario.path else 1
    if warmup:
        _round(port, token, Measured(scenario, pages=measured.pages), warmup, clients)
    measured.result.wall_seconds = _round(port, token, measured, requests, clients)
    return measured


@dataclass(frozen=True)
class Download:
    seconds: float
    status: int | str
    size: int
    lines: int


def download_csv(port: int, token: str, *, runs: int) -> list[Download]:
    """The full coverage CSV ``runs`` times, one after another: time to the last byte."""
    client, downloads = Client(port, token), []
    for _ in range(runs):
        status, body, seconds = client.get(CSV_PATH)
        lines = body.count(b"\n") + (0 if body.endswith(b"\n") or not body else 1)
        downloads.append(Download(seconds, status, len(body), lines))
        if status == 404:
            break
    client.close()
    return downloads


def _verdict(measured: Measured) -> str:
    target = measured.scenario.target_ms
    if measured.skipped or target is None:
        return "-"
    ok = measured.result.percentile(95) < target and not measured.error_count
    return "pass" if ok else "FAIL"


def print_table(rows: list[Measured], *, baseline_ms: float | None) -> None:
    """requests, errors, p50/p95/p99, req/s, target and verdict, p95 as a multiple of the
    baseline's (the domains page), which is steadier than the absolute figures on a noisy box."""
    width = max(len(m.scenario.name) for m in rows)
    print(
        f"{'scenario':<{width}}  {'req':>5} {'err':>4} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p99 ms':>7} {'req/s':>6} {'x base':>6} {'target':>9}  verdict"
    )
    for m in rows:
        name = m.scenario.name
        if m.skipped:
            print(f"{name:<{width}}  skipped: {m.skipped}")
            continue
        r = m.result
        ratio = f"{r.percentile(95) / baseline_ms:.1f}" if baseline_ms else "-"
        target = f"p95<{m.scenario.target_ms:.0f}" if m.scenario.target_ms else "-"
        print(
            f"{name:<{width}}  {len(r.latencies):>5} {m.error_count:>4} {r.percentile(50):>7.1f} "
            f"{r.percentile(95):>7.1f} {r.percentile(99):>7.1f} {r.per_second:>6.1f} "
            f"{ratio:>6} {target:>9}  {_verdict(m)}"
        )
    for m in rows:
        for error in m.errors:
            print(f"  error in {m.scenario.name}: {error}")


def print_downloads(downloads: list[Download]) -> None:
    if not downloads:
        return
    if downloads[0].status == 404:
        print(f"coverage CSV: skipped: 404 (endpoint not available) {CSV_PATH}")
        return
    worst = max(d.seconds for d in downloads)
    ok = worst < CSV_TARGET_S and all(d.status == 200 and d.lines == CSV_LINES for d in downloads)
    times = ", ".join(f"{d.seconds:.2f}" for d in downloads)
    print(
        f"coverage CSV ({CSV_PATH}), {len(downloads)} runs: {times} s; worst {worst:.2f} s "
        f"(target < {CSV_TARGET_S:.0f} s), {downloads[0].size / 1e6:.2f} MB, "
        f"lines {sorted({d.lines for d in downloads})} (expect {CSV_LINES:,}), statuses "
        f"{sorted({str(d.status) for d in downloads})}  {'pass' if ok else 'FAIL'}"
    )
