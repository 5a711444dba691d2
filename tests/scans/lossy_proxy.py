"""A UDP DNS proxy that behaves like a real network: delay, jitter, loss, dead servers.

Loopback answers in 0.1 ms and never drops a packet; real resolvers take 10-100 ms and lose
some. ``LossyUdpProxy`` sits between the resolver under test and Knot (``servers.KnotServer``)
and, per packet, waits half a round trip (``rtt_ms`` +/- ``jitter_ms``), drops it with
probability ``loss`` (queries and answers alike), never answers names under the ``silent``
zones (a server that never answers), and can drop the first ``drop_first`` queries of each
name (deterministic retry tests). Used by the scan tests and ``bench/scan.py``.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any


def query_name(packet: bytes) -> str:
    """The question name of a DNS message (lower case, no trailing dot); "" if unreadable."""
    labels, at = [], 12
    while at < len(packet) and packet[at]:
        size = packet[at]
        labels.append(packet[at + 1 : at + 1 + size].decode("ascii", "replace"))
        at += 1 + size
    return ".".join(labels).lower()


class _Side(asyncio.DatagramProtocol):
    def __init__(self, receive: Callable[[bytes, Any], None]):
        self.receive = receive

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self.receive(data, addr)


class LossyUdpProxy:
    """Listens on ``address`` (127.0.0.1:<free port>) and forwards to ``upstream``, in its own
    thread and event loop. Query ids are rewritten so concurrent clients never collide.
    ``stats`` counts queries, answers, lost packets (each way) and silenced queries."""

    def __init__(
        self,
        upstream: tuple[str, int],
        *,
        rtt_ms: float = 0.0,
        jitter_ms: float = 0.0,
        loss: float = 0.0,
        silent: tuple[str, ...] = (),
        drop_first: int = 0,
        seed: int = 8460,
        host: str = "127.0.0.1",
    ):
        self.upstream = upstream
        self.rtt, self.jitter, self.loss = rtt_ms / 1000, jitter_ms / 1000, loss
        self.silent = tuple(zone.lower().rstrip(".") for zone in silent)
        self.drop_first = drop_first
        self.rng = random.Random(seed)
        self.stats: Counter[str] = Counter()
        self._seen: Counter[str] = Counter()
        self._pending: dict[int, tuple[Any, bytes]] = {}
        self._next_id = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.address = asyncio.run_coroutine_threadsafe(self._open(host), self._loop).result(10)

    async def _open(self, host: str) -> tuple[str, int]:
        loop = asyncio.get_running_loop()
        self._clients, _ = await loop.create_datagram_endpoint(
            lambda: _Side(self._from_client), local_addr=(host, 0)
        )
        self._server, _ = await loop.create_datagram_endpoint(
            lambda: _Side(self._from_upstream), remote_addr=self.upstream
        )
        return self._clients.get_extra_info("sockname")[:2]

    def _half_trip(self) -> float:
        return max(0.0, self.rtt + self.rng.uniform(-self.jitter, self.jitter)) / 2

    def _is_silent(self, name: str) -> bool:
        return any(name == zone or name.endswith("." + zone) for zone in self.silent)

    def _from_client(self, data: bytes, addr: Any) -> None:
        self.stats["queries"] += 1
        name = query_name(data)
        if self._is_silent(name):
            self.stats["silenced"] += 1
            return
        if self._seen[name] < self.drop_first:
            self._seen[name] += 1
            self.stats["dropped_first"] += 1
            return
        if self.rng.random() < self.loss:
            self.stats["lost_queries"] += 1
            return
        proxy_id = self._next_id = (self._next_id + 1) & 0xFFFF
        self._pending[proxy_id] = (addr, data[:2])
        packet = proxy_id.to_bytes(2, "big") + data[2:]
        self._loop.call_later(self._half_trip(), self._server.sendto, packet)

    def _from_upstream(self, data: bytes, _addr: Any) -> None:
        entry = self._pending.pop(int.from_bytes(data[:2], "big"), None)
        if entry is None:
            return
        if self.rng.random() < self.loss:
            self.stats["lost_answers"] += 1
            return
        self.stats["answers"] += 1
        client, client_id = entry
        self._loop.call_later(self._half_trip(), self._clients.sendto, client_id + data[2:], client)

    def stop(self) -> None:
        def close() -> None:
            self._clients.close()
            self._server.close()
            self._loop.stop()

        self._loop.call_soon_threadsafe(close)
        self._thread.join(5)
