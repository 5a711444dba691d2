"""Gunicorn on loopback for the ingest benchmark, part (c): start, wait, POST concurrently, stop.

Plain HTTP on 127.0.0.1 (TLS is terminated in front of gunicorn in production, so what this
measures is the application: routing, raw storage, parsing and storing each report). Clients are
threads with one ``http.client.HTTPConnection`` each; gunicorn's sync workers close the
connection after every response, and ``http.client`` reconnects on the next request.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class Gunicorn:
    """A running gunicorn master and where its error log goes."""

    process: subprocess.Popen
    port: int
    log: Path

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def peak_rss_mib(self) -> dict[int, float]:
        """VmHWM (peak RSS) of the master and each worker, read while they still run."""
        peaks = {}
        for pid in [self.process.pid, *self.worker_pids()]:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks[pid] = int(line.split()[1]) / 1024
        return peaks


def _status_kib(path: str, key: str) -> int:
    """A ``Key:  <n> kB`` figure from a /proc status-like file, 0 when the process is gone."""
    try:
        text = Path(path).read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith(key):
            return int(line.split()[1])
    return 0


class MemorySampler:
    """The memory of the whole system under test while gunicorn runs, sampled in a thread.

    Each sample is this process's RSS plus the PSS of the gunicorn master and workers (PSS
    counts the pages the forked workers share with the master once, which RSS sums would
    count three times). ``peak_mib`` is the largest sum seen.
    """

    def __init__(self, server: Gunicorn, *, interval: float = 0.2) -> None:
        self.server, self.interval, self.peak_kib = server, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> int:
        pids = [self.server.process.pid, *self.server.worker_pids()]
        gunicorn = sum(_status_kib(f"/proc/{pid}/smaps_rollup", "Pss:") for pid in pids)
        total = _status_kib("/proc/self/status", "VmRSS:") + gunicorn
        self.peak_kib = max(self.peak_kib, total)
        return total

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    @property
    def peak_mib(self) -> float:
        return self.peak_kib / 1024


@dataclass
class Posted:
    """Outcome of a round of POSTs."""

    wall_seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.wall_seconds if self.wall_seconds else 0.0

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the latencies, in milliseconds."""
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank] * 1000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_env(database_url: str) -> dict[str, str]:
    """The server's environment: the bench database, production settings, no Redis."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}  # no Redis: eager tasks
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="tlsmon.settings",
        DEBUG="false",
        SECRET_KEY="bench",
        ALLOWED_HOSTS="127.0.0.1",
        TLSMON_SSL_REDIRECT="false",
        TLSMON_LOG_LEVEL="WARNING",
    )
    return env


def gunicorn_start(
    database_url: str, *, workers: int = 2, env: dict[str, str] | None = None
) -> Gunicorn:
    """Start ``gunicorn tlsmon.wsgi`` on a free loopback port; ``env`` adds to or overrides
    ``gunicorn_env`` (e.g. a throttle rate, or a ``REDIS_URL`` for the shared cache)."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="bench-gunicorn-", suffix=".log")[1])
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "tlsmon.wsgi",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--error-logfile",
        str(log),
    ]
    process = subprocess.Popen(
        command,
        cwd=REPO,
        env={**gunicorn_env(database_url), **(env or {})},
        stdout=subprocess.DEVNULL,
    )
    return Gunicorn(process=process, port=port, log=log)


def wait_healthy(server: Gunicorn, *, timeout: float = 60.0) -> None:
    """Poll ``/healthz`` until it answers 200 (and every worker had time to boot)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {server.log}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer /healthz in {timeout:.0f} s; see {server.log}")


def gunicorn_stop(server: Gunicorn) -> int:
    """SIGTERM (graceful shutdown), wait, return the exit code."""
    server.process.send_signal(signal.SIGTERM)
    try:
        return server.process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.process.kill()
        return server.process.wait()


def content_type(body: bytes) -> str:
    return "application/tlsrpt+gzip" if body.startswith(GZIP_MAGIC) else "application/tlsrpt+json"


def _client(
    port: int, path: str, bodies: Iterator[bytes], lock: threading.Lock, result: Posted
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    latencies, statuses = [], Counter()
    while True:
        with lock:
            body = next(bodies, None)
        if body is None:
            break
        headers = {"Content-Type": content_type(body), "User-Agent": "tlsmon-bench"}
        began = time.perf_counter()
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            status: int | str = response.status
        except (OSError, http.client.HTTPException) as exc:
            connection.close()  # reconnects on the next request
            status = type(exc).__name__
        latencies.append(time.perf_counter() - began)
        statuses[status] += 1
    connection.close()
    with lock:
        result.latencies.extend(latencies)
        result.statuses.update(statuses)


def post_all(port: int, path: str, bodies: Iterable[bytes], *, clients: int) -> Posted:
    """POST every body to ``path`` from ``clients`` threads; bodies are pulled lazily."""
    lock, result = threading.Lock(), Posted(wall_seconds=0.0)
    source = iter(bodies)
    threads = [
        threading.Thread(target=_client, args=(port, path, source, lock, result), daemon=True)
        for _ in range(clients)
    ]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.wall_seconds = time.perf_counter() - began
    return result
