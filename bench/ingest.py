"""Ingestion benchmarks: (a) parse-only, (b) end-to-end into PostgreSQL, (c) HTTP intake.

Run: ``python -m bench.ingest [--reports 20000] [--parts a,b,c] [--https-reports 2000]
[--clients 16]``; see bench/README.md ("ingest") for what each part does and the targets.

Part (a) compares ``parse_report`` with plain ``json.loads`` on the same in-memory reports, in the
same process. To be fair, both sides gunzip the gzipped half: the baseline with one-shot
``zlib.decompress`` (the cheapest way there is), ``parse_report`` with its bounded streaming
inflate, so the ratio charges our size checks, validation and dataclass building to us.
Times are CPU time of this process (``time.process_time``), best of ``--rounds`` alternating passes.

Part (b) re-creates the database ``BENCH_DATABASE_URL`` (default ``tlsmon_bench`` on the local
PostgreSQL), migrates it, creates a tenant owning every generated policy domain and times
``reports.bulk.reports_ingest_many`` over the N reports (wall time), then again over the same
bytes (all duplicates). Part (c) runs ``gunicorn tlsmon.wsgi -w 2`` on that database and POSTs M
new reports to ``/tlsrpt/<token>/`` from C client threads (``bench.gunicorn_intake``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import sys
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench.gunicorn_intake import (
    GZIP_MAGIC,
    MemorySampler,
    Posted,
    gunicorn_start,
    gunicorn_stop,
    post_all,
    wait_healthy,
)
from reports.report_parsing import parse_report

RATIO_TARGET = 0.40
INGEST_TARGET = 1_000  # reports/s into PostgreSQL
MEMORY_TARGET = 300e6  # bytes, the whole run
MIB = 1024 * 1024
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tlsmon_bench"
_RESULT_TYPES = (
    "certificate-expired",
    "certificate-host-mismatch",
    "certificate-not-trusted",
    "starttls-not-supported",
    "validation-failure",
    "sts-policy-fetch-error",
)


@dataclass(frozen=True)
class ParseFigures:
    count: int
    gzipped: int
    json_bytes: int
    baseline_per_second: float  # json.loads (+ gunzip for the gzipped half)
    parser_per_second: float  # parse_report

    @property
    def ratio(self) -> float:
        return self.parser_per_second / self.baseline_per_second


# --- report generation -------------------------------------------------------------------------


def iter_documents(
    count: int = 20_000, *, seed: int = 8460, id_suffix: str = ""
) -> Iterator[dict[str, Any]]:
    """``count`` report documents, deterministic for a seed, one at a time.

    Report-ids are unique within a run (the rare Google-style (day, domain) collision gets the
    index appended). ``id_suffix`` is appended to every report-id: the same reports (same policy
    domains) under new ids, i.e. new reports for the database.
    """
    rng = random.Random(seed)
    seen: set[str] = set()
    for index in range(count):
        shape = _google_like if rng.random() < 0.6 else _microsoft_like
        document = shape(rng, index)
        if document["report-id"] in seen:  # same reporter, domain and day: make it another one
            document["report-id"] += f"-{index}"
        seen.add(document["report-id"])
        document["report-id"] += id_suffix
        yield document


def encode(document: dict[str, Any], index: int) -> bytes:
    """The file body of a report: compact JSON, gzipped for every second one (odd ``index``)."""
    raw = json.dumps(document, separators=(",", ":")).encode()
    return gzip.compress(raw, mtime=0) if index % 2 else raw


def iter_reports(count: int = 20_000, *, seed: int = 8460, id_suffix: str = "") -> Iterator[bytes]:
    """Report bodies, streamed: never more than one document in memory."""
    for index, document in enumerate(iter_documents(count, seed=seed, id_suffix=id_suffix)):
        yield encode(document, index)


def generate_reports(count: int = 20_000, *, seed: int = 8460) -> list[bytes]:
    """``count`` report bodies, deterministic for a seed; every second one gzipped."""
    return list(iter_reports(count, seed=seed))


def policy_domains(count: int, *, seed: int = 8460) -> set[str]:
    """Every policy-domain the first ``count`` generated reports name (the tenant's domains)."""
    return {
        entry["policy"]["policy-domain"]
        for document in iter_documents(count, seed=seed)
        for entry in document["policies"]
    }


def _domain(rng: random.Random, index: int) -> str:
    return f"client{index % 997}-{rng.randrange(100)}.example"


def _day(rng: random.Random) -> date:
    return date(2025, 1, 1) + timedelta(days=rng.randrange(365))


def _details(rng: random.Random, domain: str, failed: int) -> list[dict[str, Any]]:
    if not failed or rng.random() < 0.3:
        return []
    count = rng.choice((1, 1, 2, 3, 5, 20))
    return [
        {
            "result-type": rng.choice(_RESULT_TYPES),
            "sending-mta-ip": f"209.85.{rng.randrange(256)}.{rng.randrange(256)}",
            "receiving-mx-hostname": f"mx{n}.{domain}",
            "receiving-ip": f"198.51.100.{rng.randrange(256)}",
            "failed-session-count": max(1, failed // count),
        }
        for n in range(count)
    ]


def _google_like(rng: random.Random, index: int) -> dict[str, Any]:
    domain, day = _domain(rng, index), _day(rng)
    failed = rng.choice((0, 0, 0, 1, 3, 40))
    return {
        "organization-name": "Google Inc.",
        "date-range": {
            "start-datetime": f"{day}T00:00:00Z",
            "end-datetime": f"{day}T23:59:59Z",
        },
        "contact-info": "smtp-tls-reporting@google.com",
        "report-id": f"{day}T00:00:00Z_{domain}",
        "policies": [
            {
                "policy": {
                    "policy-type": "sts",
                    "policy-string": [
                        "version: STSv1",
                        f"mode: {rng.choice(('enforce', 'testing'))}",
                        f"mx: mx.{domain}",
                        "max_age: 604800",
                    ],
                    "policy-domain": domain,
                    "mx-host": [f"mx.{domain}"],
                },
                "summary": {
                    "total-successful-session-count": rng.randrange(1, 5000),
                    "total-failure-session-count": failed,
                },
                **({"failure-details": d} if (d := _details(rng, domain, failed)) else {}),
            }
        ],
    }


def _microsoft_like(rng: random.Random, index: int) -> dict[str, Any]:
    domain, day = _domain(rng, index), _day(rng)
    policies = [_microsoft_policy(rng, domain, kind) for kind in ("sts", "tlsa", "no-policy-found")]
    return {
        "organization-name": "Microsoft Corporation",
        "date-range": {
            "start-datetime": f"{day}T00:00:00Z",
            "end-datetime": f"{day}T23:59:59Z",
        },
        "contact-info": "tlsrpt-noreply@microsoft.com",
        "report-id": f"{rng.randrange(10**17, 10**18)}+{domain}",
        "policies": policies[: rng.randint(1, 3)],
    }


def _microsoft_policy(rng: random.Random, domain: str, kind: str) -> dict[str, Any]:
    strings: dict[str, list[str]] = {
        "sts": ["version: STSv1", "mode: enforce", f"mx: *.{domain}", "max_age: 2592000"],
        "tlsa": [json.dumps([f"3 1 1 {rng.getrandbits(256):064X}" for _ in range(2)])],
        "no-policy-found": [],
    }
    failed = rng.choice((0, 0, 2, 7))
    policy: dict[str, Any] = {"policy-type": kind, "policy-domain": domain}
    if strings[kind]:
        policy["policy-string"] = strings[kind]
    entry: dict[str, Any] = {
        "policy": policy,
        "summary": {
            "total-successful-session-count": rng.randrange(1, 800),
            "total-failure-session-count": failed,
        },
    }
    if failed:
        entry["failure-details"] = [
            {"result-type": "sts-policy-fetch-error", "failed-session-count": failed}
        ]
    return entry


# --- (a) parse-only ----------------------------------------------------------------------------


def _baseline(body: bytes) -> Any:
    return json.loads(
        zlib.decompress(body, 16 + zlib.MAX_WBITS) if body[:2] == b"\x1f\x8b" else body
    )


def _seconds(function: Callable[[bytes], Any], bodies: Sequence[bytes]) -> float:
    """CPU seconds of this process for one pass: on a shared machine wall time mostly measures
    how long the scheduler kept us waiting, which differs from pass to pass."""
    began = time.process_time()
    for body in bodies:
        function(body)
    return time.process_time() - began


def bench_parse(bodies: Sequence[bytes], *, rounds: int = 7) -> ParseFigures:
    """Both sides run in alternating passes and keep their best pass, so a burst of load on a
    shared machine hits both alike instead of skewing the ratio."""
    for body in bodies[:200]:  # warm both paths (imports, regex and idna caches)
        _baseline(body)
        parse_report(body)
    baseline = parser = float("inf")
    for _ in range(rounds):
        baseline = min(baseline, _seconds(_baseline, bodies))
        parser = min(parser, _seconds(parse_report, bodies))
    return ParseFigures(
        count=len(bodies),
        gzipped=sum(body[:2] == b"\x1f\x8b" for body in bodies),
        json_bytes=sum(len(_baseline_text(body)) for body in bodies),
        baseline_per_second=len(bodies) / baseline,
        parser_per_second=len(bodies) / parser,
    )


def _baseline_text(body: bytes) -> bytes:
    return zlib.decompress(body, 16 + zlib.MAX_WBITS) if body[:2] == b"\x1f\x8b" else body


# --- database and tenant (for (b) and (c)) ------------------------------------------------------


def database_recreate(url: str) -> None:
    """Drop and create the bench database (its name must contain "bench": a safety catch)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to drop {name!r}: the bench database name must contain 'bench'")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def django_setup(url: str) -> None:
    """Point Django at the bench database (before it reads settings) and migrate it."""
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="tlsmon.settings",
        DEBUG="false",  # DEBUG would keep every query in memory
        SECRET_KEY=os.environ.get("SECRET_KEY") or "bench",
        TLSMON_LOG_LEVEL="WARNING",
    )
    os.environ.pop("REDIS_URL", None)  # tasks (not used by these paths) run in-process
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def tenant_create(report_count: int, *, seed: int) -> Any:
    """An organization owning every policy domain of the first ``report_count`` reports."""
    from accounts.services import domains_bulk_create, organization_create

    organization = organization_create(name="Bench ingest", slug="bench-ingest")
    names = sorted(policy_domains(report_count, seed=seed))
    result = domains_bulk_create(organization=organization, names=names)
    invalid = [row for row in result.rows if row.status == "invalid"]
    if invalid:
        raise SystemExit(f"{len(invalid)} generated domains are invalid, e.g. {invalid[0]}")
    _progress(f"tenant {organization.slug}: {len(names):,} domains")
    return organization


def _progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- (b) end-to-end ingest into PostgreSQL -------------------------------------------------------


@dataclass(frozen=True)
class Pass:
    """One ``reports_ingest_many`` pass over all reports."""

    count: int
    wall_seconds: float
    cpu_seconds: float  # this process only (PostgreSQL works in its own processes)
    accepted: int
    duplicates: int
    quarantined: int
    rejected: int

    @property
    def per_second(self) -> float:
        return self.count / self.wall_seconds


@dataclass(frozen=True)
class IngestFigures:
    first: Pass
    again: Pass  # the same bytes a second time: all duplicates
    rows: dict[str, int]  # SELECT count(*) per table after the first pass
    quarantine_rows: int

    @property
    def rows_per_second(self) -> float:
        return sum(self.rows.values()) / self.first.wall_seconds


def _items(bodies: Sequence[bytes], label: str) -> Iterator[tuple[bytes, str]]:
    """``(payload, source)`` pairs, lazily; a progress line every 5,000 reports."""
    for index, body in enumerate(bodies):
        if index and index % 5000 == 0:
            _progress(f"  {label}: {index:,}/{len(bodies):,} reports fed")
        suffix = ".json.gz" if body[:2] == GZIP_MAGIC else ".json"
        yield body, f"bench/{index:06d}{suffix}"


def _ingest_pass(organization: Any, bodies: Sequence[bytes], label: str) -> Pass:
    from reports.bulk import reports_ingest_many

    wall, cpu = time.perf_counter(), time.process_time()
    summary = reports_ingest_many(organization=organization, items=_items(bodies, label))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    _progress(f"  {label}: {summary} in {wall:.1f} s")
    return Pass(
        count=len(bodies),
        wall_seconds=wall,
        cpu_seconds=cpu,
        accepted=summary.accepted,
        duplicates=summary.duplicates,
        quarantined=summary.quarantined,
        rejected=len(summary.rejected),
    )


def row_counts() -> dict[str, int]:
    from django.db import connection

    from reports.models import FailureDetail, Report, ReportPolicy, Submission

    counts = {}
    with connection.cursor() as cursor:
        for model in (Submission, Report, ReportPolicy, FailureDetail):
            cursor.execute(f"SELECT count(*) FROM {model._meta.db_table}")
            counts[model._meta.db_table] = cursor.fetchone()[0]
    return counts


def bench_db_ingest(organization: Any, bodies: Sequence[bytes]) -> IngestFigures:
    """Part (b): every report through ``reports_ingest_many``, then the same bytes again.

    The payloads are the encoded bodies already in memory (raw bytes, as a loader reads files);
    they are fed through a generator, so nothing is decoded ahead of the loader.
    """
    from reports.models import QuarantinedPolicy

    first = _ingest_pass(organization, bodies, "(b) ingest")
    rows = row_counts()
    again = _ingest_pass(organization, bodies, "(b) again")
    quarantine_rows = QuarantinedPolicy.objects.filter(organization=organization).count()
    return IngestFigures(first=first, again=again, rows=rows, quarantine_rows=quarantine_rows)


def print_ingest(figures: IngestFigures) -> None:
    first, again = figures.first, figures.again
    print(f"end-to-end ingest (reports_ingest_many, PostgreSQL): {first.count:,} reports")
    print(
        f"  first pass: {first.wall_seconds:.2f} s wall ({first.cpu_seconds:.2f} s CPU here), "
        f"{first.per_second:,.0f} reports/s, {figures.rows_per_second:,.0f} rows/s"
    )
    print(
        f"  accepted {first.accepted:,}, duplicates {first.duplicates:,}, "
        f"quarantined {first.quarantined:,} (rows: {figures.quarantine_rows:,}), "
        f"rejected {first.rejected:,}"
    )
    print("  rows: " + ", ".join(f"{table} {n:,}" for table, n in figures.rows.items()))
    print(
        f"  second pass (same bytes): {again.wall_seconds:.2f} s, {again.per_second:,.0f} "
        f"reports/s, duplicates {again.duplicates:,}, accepted {again.accepted:,}"
    )


# --- (c) HTTPS intake under gunicorn -------------------------------------------------------------


@dataclass(frozen=True)
class HttpsFigures:
    count: int
    clients: int
    new: Posted
    again: Posted  # a sample posted a second time: 200 duplicates
    gunicorn_peaks_mib: dict[int, float]  # VmHWM of master and workers before shutdown
    concurrent_peak_mib: float  # largest sampled sum: bench RSS + gunicorn PSS
    gunicorn_exit: int
    https_submissions: int
    quarantine_rows: int


def bench_https_intake(
    organization: Any, url: str, *, count: int, clients: int, seed: int, sample: int
) -> HttpsFigures:
    """Part (c): ``count`` new reports POSTed by ``clients`` threads, then a sample again."""
    from reports.models import Channel, QuarantinedPolicy, Submission

    server = gunicorn_start(url, workers=2)
    try:
        wait_healthy(server)
        path = f"/tlsrpt/{organization.report_token}/"
        _progress(f"  (c) gunicorn on 127.0.0.1:{server.port}, POSTing {count:,} reports")
        with MemorySampler(server) as memory:
            reports = iter_reports(count, seed=seed, id_suffix="-https")
            new = post_all(server.port, path, reports, clients=clients)
            _progress(f"  (c) re-POSTing {sample:,} of them")
            reports = iter_reports(min(sample, count), seed=seed, id_suffix="-https")
            again = post_all(server.port, path, reports, clients=clients)
        peaks = server.peak_rss_mib()
    finally:
        exit_code = gunicorn_stop(server)
    return HttpsFigures(
        count=count,
        clients=clients,
        new=new,
        again=again,
        gunicorn_peaks_mib=peaks,
        concurrent_peak_mib=memory.peak_mib,
        gunicorn_exit=exit_code,
        https_submissions=Submission.objects.filter(channel=Channel.HTTPS).count(),
        quarantine_rows=QuarantinedPolicy.objects.filter(organization=organization).count(),
    )


def _statuses(posted: Posted) -> str:
    return ", ".join(f"{status}: {n:,}" for status, n in sorted(posted.statuses.items(), key=str))


def print_https(figures: HttpsFigures) -> None:
    new, again = figures.new, figures.again
    print(
        f"HTTP intake (gunicorn -w 2, loopback): {figures.count:,} new reports, "
        f"{figures.clients} clients"
    )
    print(
        f"  {new.wall_seconds:.2f} s, {new.per_second:,.0f} requests/s, latency p50 "
        f"{new.percentile(50):.1f} ms, p95 {new.percentile(95):.1f} ms, "
        f"p99 {new.percentile(99):.1f} ms"
    )
    print(f"  statuses: {_statuses(new)} (201 expected)")
    print(
        f"  stored: {figures.https_submissions:,} https submissions, "
        f"quarantine rows {figures.quarantine_rows:,}"
    )
    print(
        f"  re-POST of {len(again.latencies):,}: {_statuses(again)} (200 expected), "
        f"{again.per_second:,.0f} requests/s, p50 {again.percentile(50):.1f} ms"
    )
    peaks = ", ".join(f"{mib:.0f}" for mib in figures.gunicorn_peaks_mib.values())
    print(
        f"  gunicorn peak RSS per process (master, workers): {peaks} MiB, "
        f"exit code {figures.gunicorn_exit}"
    )


# --- memory, summary, CLI ------------------------------------------------------------------------


def peak_rss_mib() -> float:
    """Peak resident set size of this process (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_peak_rss_mib() -> float:
    """Largest peak RSS among waited-for child processes (gunicorn master and its workers)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def print_parse(figures: ParseFigures) -> None:
    print(
        f"parse-only: {figures.count} reports ({figures.gzipped} gzipped), "
        f"{figures.json_bytes / 1e6:.1f} MB of JSON"
    )
    print(f"  json.loads (+gunzip): {figures.baseline_per_second:>10,.0f} reports/s")
    print(f"  parse_report:         {figures.parser_per_second:>10,.0f} reports/s")
    verdict = "ok" if figures.ratio >= RATIO_TARGET else "BELOW TARGET"
    print(f"  ratio: {figures.ratio:.2f} (target >= {RATIO_TARGET:.2f}) {verdict}")


@dataclass
class Results:
    parse: ParseFigures | None = None
    ingest: IngestFigures | None = None
    https: HttpsFigures | None = None

    def memory_mib(self) -> tuple[float, float]:
        """(peak of the whole run, upper bound).

        The peak is the larger of this process's own peak and the largest sampled sum of this
        process's RSS and gunicorn's PSS while gunicorn ran. The upper bound adds every gunicorn
        process's own peak RSS to this process's peak, as if they all peaked at once and shared
        no pages.
        """
        bench = peak_rss_mib()
        if not self.https:
            return bench, bench
        gunicorn = sum(self.https.gunicorn_peaks_mib.values())
        return max(bench, self.https.concurrent_peak_mib), bench + gunicorn


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def summary_rows(results: Results) -> list[tuple[str, str, str]]:
    rows = []
    if results.parse:
        p = results.parse
        measured = f"{p.ratio:.0%} ({p.parser_per_second:,.0f} vs {p.baseline_per_second:,.0f}/s)"
        rows.append(("(a) parse >= 40% of json.loads", measured, _verdict(p.ratio >= 0.40)))
    if results.ingest:
        first = results.ingest.first
        ok = first.per_second >= INGEST_TARGET and first.accepted == first.count
        measured = (
            f"{first.per_second:,.0f} reports/s, {results.ingest.rows_per_second:,.0f} rows/s"
        )
        rows.append(("(b) end-to-end >= 1,000 reports/s", measured, _verdict(ok)))
    if results.https:
        new = results.https.new
        measured = f"{new.per_second:,.0f} req/s, p99 {new.percentile(99):.0f} ms"
        ok = new.statuses.get(201, 0) == results.https.count
        rows.append(("(c) HTTP intake (no target; all 201)", measured, _verdict(ok)))
    peak, bound = results.memory_mib()
    measured = f"{peak * MIB / 1e6:.0f} MB peak (bound {bound * MIB / 1e6:.0f} MB)"
    rows.append(("memory < 300 MB whole run", measured, _verdict(peak * MIB < MEMORY_TARGET)))
    return rows


def print_summary(results: Results) -> None:
    rows = summary_rows(results)
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    print("\nsummary")
    print(f"  {'target':<{widths[0]}}  {'measured':<{widths[1]}}  verdict")
    for target, measured, verdict in rows:
        print(f"  {target:<{widths[0]}}  {measured:<{widths[1]}}  {verdict}")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__)
    parser.add_argument("--reports", type=int, default=20_000, help="N for (a) and (b)")
    parser.add_argument("--parts", default="a,b,c", help="comma-separated subset of a,b,c")
    parser.add_argument("--https-reports", type=int, default=2_000, help="M for (c)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients for (c)")
    parser.add_argument("--resend", type=int, default=200, help="(c) reports POSTed twice")
    parser.add_argument("--seed", type=int, default=8460)
    parser.add_argument("--rounds", type=int, default=7, help="(a) alternating passes")
    args = parser.parse_args(argv)
    args.parts = {part.strip() for part in args.parts.split(",") if part.strip()}
    if not args.parts or args.parts - {"a", "b", "c"}:
        parser.error("--parts takes a comma-separated subset of a,b,c")
    return args


def run(args: argparse.Namespace) -> Results:
    results = Results()
    bodies = generate_reports(args.reports, seed=args.seed) if args.parts & {"a", "b"} else []
    if "a" in args.parts:
        results.parse = bench_parse(bodies, rounds=args.rounds)
        print_parse(results.parse)
    if args.parts & {"b", "c"}:
        url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
        database_recreate(url)
        django_setup(url)
        tenant_reports = max(args.reports, args.https_reports if "c" in args.parts else 0)
        organization = tenant_create(tenant_reports, seed=args.seed)
    if "b" in args.parts:
        results.ingest = bench_db_ingest(organization, bodies)
        print_ingest(results.ingest)
    del bodies
    if "c" in args.parts:
        results.https = bench_https_intake(
            organization,
            url,
            count=args.https_reports,
            clients=args.clients,
            seed=args.seed,
            sample=args.resend,
        )
        print_https(results.https)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    results = run(parse_args(argv))
    print(
        f"peak RSS: bench process {peak_rss_mib():.0f} MiB, "
        f"largest child {children_peak_rss_mib():.0f} MiB (RUSAGE_CHILDREN, which also counts "
        "the bench pages a child had before exec)"
    )
    print_summary(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
