"""Real servers on loopback for scan tests and the scan benchmark (``bench/scan.py``).

``KnotServer`` runs Knot DNS as the current user with everything (config, zones, database,
control socket) in one directory, so tests exercise the real resolver against a real
authoritative server. ``StubDnsServer`` answers every query with one rcode, or never (a
timeout). ``MtaStsServer`` serves MTA-STS policies over HTTPS with a trustme CA.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

import dns.exception
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import trustme

KNOTD = shutil.which("knotd") or shutil.which("knotd", path="/usr/sbin:/sbin")
KNOTC = shutil.which("knotc") or shutil.which("knotc", path="/usr/sbin:/sbin")


def free_port(host: str = "127.0.0.1") -> int:
    """A port free for both TCP and UDP (Knot listens on both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind((host, 0))
            port = tcp.getsockname()[1]
            try:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                    udp.bind((host, port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port on loopback")


class StubDnsServer:
    """A UDP DNS "server" that answers every query with ``rcode``, or never when None.

    Used for a nameserver that times out, and behind Knot's dnsproxy for a REFUSED zone.
    """

    def __init__(self, rcode: dns.rcode.Rcode | None, host: str = "127.0.0.1"):
        self.rcode = rcode
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.sock.settimeout(0.2)
        self.address = self.sock.getsockname()
        self.queries = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            self.queries += 1
            if self.rcode is None:
                continue
            response = dns.message.make_response(dns.message.from_wire(data))
            response.set_rcode(self.rcode)
            self.sock.sendto(response.to_wire(), peer)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


class KnotServer:
    """knotd on 127.0.0.1:<free port> serving zones the caller writes.

    Kinds of zone: normal (``set_zone``), one that failed to load so Knot answers SERVFAIL
    (``set_broken_zone``), and one proxied to a stub that answers REFUSED (``set_refused_zone``).
    A name in no zone gets REFUSED from Knot itself.
    """

    def __init__(self, workdir: Path, host: str = "127.0.0.1"):
        self.dir = Path(workdir)
        self.host = host
        self.port = free_port(host)
        self.conf = self.dir / "knot.conf"
        self.zones: dict[str, str] = {}  # origin -> "zone" | "broken" | "refused"
        self.serial = int(time.time())
        self.process: subprocess.Popen[bytes] | None = None
        self.refuser = StubDnsServer(dns.rcode.REFUSED, host)
        for sub in ("zones", "db"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)

    @property
    def nameservers(self) -> list[tuple[str, int]]:
        return [(self.host, self.port)]

    def start(self, timeout: float = 120.0) -> None:
        """Start knotd; zones set before this load with it (fastest for thousands)."""
        self._write_config()
        with (self.dir / "knotd.log").open("ab") as log:  # knotd keeps its own copy of the fd
            self.process = subprocess.Popen([KNOTD, "-c", str(self.conf)], stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"knotd exited: {self.log_tail()}")
            if self._knotc("status", check=False).returncode == 0:
                self._wait_served(list(self.zones), deadline)
                return
            time.sleep(0.05)
        raise RuntimeError(f"knotd did not start: {self.log_tail()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.refuser.stop()

    def log_tail(self, lines: int = 20) -> str:
        path = self.dir / "knotd.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def set_zone(self, origin: str, records: list[str], *, ttl: int = 300) -> None:
        """Publish (or replace) zone ``origin``; records are zone-file lines relative to it."""
        self.set_zones({origin: records}, ttl=ttl)

    def set_zones(self, zones: dict[str, list[str]], *, ttl: int = 300) -> None:
        """Publish many zones with one reload (the benchmark loads thousands)."""
        self.serial += 1
        for origin, records in zones.items():
            origin = origin.rstrip(".").lower()
            self.zones[origin] = "zone"
            self._zone_file(origin).write_text(self._zone_text(origin, records, ttl))
        self._apply([o.rstrip(".").lower() for o in zones])

    def set_broken_zone(self, origin: str) -> None:
        """A configured zone whose file does not parse: Knot answers SERVFAIL inside it."""
        origin = origin.rstrip(".").lower()
        self.zones[origin] = "broken"
        self._zone_file(origin).write_text("this is not ( a zone file\n")
        self._apply([origin])

    def set_refused_zone(self, origin: str) -> None:
        """A zone Knot forwards to a stub that answers REFUSED for every name in it."""
        origin = origin.rstrip(".").lower()
        self.zones[origin] = "refused"
        self._zone_file(origin).write_text(self._zone_text(origin, [], 300))
        self._apply([origin])

    def _zone_file(self, origin: str) -> Path:
        return self.dir / "zones" / f"{origin}.zone"

    def _zone_text(self, origin: str, records: list[str], ttl: int) -> str:
        head = [
            f"$ORIGIN {origin}.",
            f"$TTL {ttl}",
            f"@ SOA ns.invalid. hostmaster.invalid. {self.serial} 3600 600 86400 60",
            "@ NS ns.invalid.",
        ]
        return "\n".join(head + list(records)) + "\n"

    def _write_config(self) -> None:
        zones = []
        for origin, kind in sorted(self.zones.items()):
            zones.append(f"  - domain: {origin}")
            if kind == "refused":
                zones.append("    module: mod-dnsproxy/refuse")
        refuser_host, refuser_port = self.refuser.address
        text = f"""server:
    rundir: "{self.dir}"
    listen: {self.host}@{self.port}
log:
  - target: stderr
    any: warning
database:
    storage: "{self.dir / "db"}"
control:
    listen: "{self.dir / "knot.sock"}"
remote:
  - id: refuser
    address: {refuser_host}@{refuser_port}
mod-dnsproxy:
  - id: refuse
    remote: refuser
    fallback: off
    timeout: 2000
template:
  - id: default
    storage: "{self.dir / "zones"}"
    file: "%s.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
"""
        if zones:
            text += "zone:\n" + "\n".join(zones) + "\n"
        self.conf.write_text(text)

    def _knotc(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [KNOTC, "-c", str(self.conf), "-t", "60", *args],
            capture_output=True,
            text=True,
            check=check,
        )

    def _apply(self, origins: list[str], timeout: float = 60.0) -> None:
        """Rewrite the config, reload it and the changed zones, then wait until served."""
        self._write_config()
        if self.process is None:
            return
        self._knotc("reload")
        for start in range(0, len(origins), 500):
            self._knotc("zone-reload", *origins[start : start + 500], check=False)
        self._wait_served(origins, time.monotonic() + timeout)

    def _wait_served(self, origins: list[str], deadline: float) -> None:
        pending = list(origins)
        while pending:
            pending = [origin for origin in pending if not self._served(origin)]
            if not pending:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"knotd does not serve {pending[:5]}: {self.log_tail()}")
            time.sleep(0.05)

    def _served(self, origin: str) -> bool:
        """True once Knot answers for ``origin`` the way its kind says it should."""
        query = dns.message.make_query(f"{origin}.", dns.rdatatype.SOA)
        try:
            response = dns.query.udp(query, self.host, port=self.port, timeout=1.0)
        except (dns.exception.Timeout, OSError):
            return False
        kind = self.zones[origin]
        if kind == "broken":
            return response.rcode() == dns.rcode.SERVFAIL
        if kind == "refused":
            return response.rcode() == dns.rcode.REFUSED
        soa = response.get_rrset(response.answer, query.question[0].name, 1, dns.rdatatype.SOA)
        return soa is not None and soa[0].serial == self.serial_of(origin)

    def serial_of(self, origin: str) -> int:
        first = self._zone_file(origin).read_text().splitlines()[2]
        return int(first.split()[4])


@dataclass
class PolicyResponse:
    """What ``MtaStsServer`` answers for one domain. ``cert_names`` None: the right name."""

    status: int = 200
    body: bytes | str = b""
    content_type: str = "text/plain"
    location: str = ""
    delay: float = 0.0  # seconds to wait before answering (timeouts)
    chunked: bool = False
    cert_names: tuple[str, ...] | None = None
    raw: bytes | None = None  # sent as is instead of an HTTP response (broken servers)


class MtaStsServer:
    """HTTPS on 127.0.0.1:<free port> with a throwaway trustme CA, in its own thread.

    The certificate is picked by SNI; the response by the Host header, per ``serve(domain)``.
    Unknown hosts get 404 and a certificate for ``unknown.invalid``.
    """

    def __init__(self, workdir: Path, host: str = "127.0.0.1"):
        self.host = host
        self.ca = trustme.CA()
        self.ca_file = str(Path(workdir) / "mta-sts-ca.pem")
        self.ca.cert_pem.write_to_path(self.ca_file)
        self.responses: dict[str, PolicyResponse] = {}
        self.requests: list[str] = []  # Host headers seen, in order
        self._contexts: dict[tuple[str, ...], ssl.SSLContext] = {}
        self._default = self._context(("unknown.invalid",))
        self._default.sni_callback = self._pick_certificate
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server = self._call(asyncio.start_server(self._handle, host, 0, ssl=self._default))
        self.port = self._server.sockets[0].getsockname()[1]

    def serve(self, domain: str, response: PolicyResponse) -> None:
        domain = domain.lower().rstrip(".")
        names = response.cert_names or (f"mta-sts.{domain}",)
        self._context(names)
        self.responses[f"mta-sts.{domain}"] = response

    def stop(self) -> None:
        self._call(self._shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    async def _shutdown(self) -> None:
        """Close the listener and cancel connections still waiting (slow-server tests)."""
        if self._server is not None:
            self._server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    def _context(self, names: tuple[str, ...]) -> ssl.SSLContext:
        if names not in self._contexts:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.ca.issue_cert(*names).configure_cert(context)
            self._contexts[names] = context
        return self._contexts[names]

    def _pick_certificate(self, sslobj: Any, server_name: str | None, _ctx: Any) -> None:
        response = self.responses.get((server_name or "").lower())
        if response is not None:
            names = response.cert_names or ((server_name or "").lower(),)
            sslobj.context = self._contexts[names]

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            host = ""
            for line in head.decode("latin-1").split("\r\n")[1:]:
                key, _, value = line.partition(":")
                if key.strip().lower() == "host":
                    host = value.strip().lower().split(":")[0]
            self.requests.append(host)
            response = self.responses.get(host, PolicyResponse(status=404, body=b"not found"))
            await asyncio.sleep(response.delay)
            writer.write(response.raw if response.raw is not None else _http_bytes(response))
            await writer.drain()
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ssl.SSLError):
            pass
        finally:
            writer.close()


def _http_bytes(response: PolicyResponse) -> bytes:
    body = response.body.encode() if isinstance(response.body, str) else response.body
    reason = HTTPStatus(response.status).phrase if response.status in _STATUSES else "Status"
    lines = [f"HTTP/1.1 {response.status} {reason}", "Connection: close"]
    if response.content_type:
        lines.append(f"Content-Type: {response.content_type}")
    if response.location:
        lines.append(f"Location: {response.location}")
    if response.chunked:
        lines.append("Transfer-Encoding: chunked")
        chunks = [body[i : i + 1000] for i in range(0, len(body), 1000)]
        payload = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"
    else:
        lines.append(f"Content-Length: {len(body)}")
        payload = body
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload


_STATUSES = {status.value for status in HTTPStatus}
