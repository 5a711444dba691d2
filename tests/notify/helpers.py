"""Small builders for alert tests: an RFC 8460 report as the bytes a sender would post, and a
real HTTP receiver on loopback that checks TLSMon's webhook signature."""

from __future__ import annotations

import json
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from notify.signing import SignatureError, verify


def report_json(
    domain: str,
    day: date,
    *,
    successful: int = 100,
    failures: dict[tuple[str, str], int] | None = None,
    report_id: str | None = None,
) -> bytes:
    """One sender's daily report for ``domain``; ``failures``: (result type, MX) -> sessions."""
    failures = failures or {}
    details = [
        {
            "result-type": result_type,
            "sending-mta-ip": "198.51.100.7",
            "receiving-mx-hostname": mx_host,
            "failed-session-count": count,
        }
        for (result_type, mx_host), count in failures.items()
    ]
    report = {
        "organization-name": "Sender Inc.",
        "date-range": {
            "start-datetime": f"{day.isoformat()}T00:00:00Z",
            "end-datetime": f"{(day + timedelta(days=1)).isoformat()}T00:00:00Z",
        },
        "contact-info": "tlsrpt@sender.example",
        "report-id": report_id or f"{domain}-{day.isoformat()}",
        "policies": [
            {
                "policy": {"policy-type": "no-policy-found", "policy-domain": domain},
                "summary": {
                    "total-successful-session-count": successful,
                    "total-failure-session-count": sum(failures.values()),
                },
                "failure-details": details,
            }
        ],
    }
    return json.dumps(report).encode()


class Receiver:
    """``http.server`` on 127.0.0.1 in a thread. Each request's signature is verified with
    ``secret``; answers come from ``statuses`` in turn (then 200)."""

    def __init__(self, secret: str = "", statuses: list[int] | None = None):
        self.secret, self.statuses = secret, list(statuses or [])
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    verify(
                        receiver.secret,
                        self.headers.get("TLSMon-Signature", ""),
                        body,
                        now=int(time.time()),
                    )
                    verified = True
                except SignatureError:
                    verified = False
                receiver.requests.append(
                    {"body": json.loads(body), "headers": dict(self.headers), "verified": verified}
                )
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status if verified else 401)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/tlsmon"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
