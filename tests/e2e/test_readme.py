"""The README's examples, run the way a newcomer runs them.

``scripts/start`` serves a fresh instance (SQLite, demo data) from a throwaway checkout, and
every shell block of README.md marked ``<!-- readme-test: run -->`` is pasted, in order, into
one bash session there — a "second terminal" with none of TLSMon's settings exported. Each
``curl`` fails on an HTTP error status and the session stops at the first failing command, so
an example that breaks fails this test. Blocks marked ``illustrative`` are skipped; an unmarked
shell block is an error, so a new example cannot slip past the test unnoticed. DNS lookups go to
the suite's Knot server (``TLSMON_DNS_NAMESERVERS``), which serves the names the README uses.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.checkout import ROOT, make_checkout, user_environment
from tests.scans.servers import free_port
from tests.scans.zones import good_domain, no_record_domain

pytestmark = pytest.mark.live

FENCE = re.compile(r"^```sh\n(.*?)^```", re.M | re.S)
MARK = re.compile(r"<!-- readme-test: (run|illustrative)\b[^>]*-->\n$")
# Each curl of the README fails on an HTTP error (with the body shown), and never hangs.
PREAMBLE = """set -euo pipefail
curl() { command curl --fail-with-body --max-time 120 "$@"; }
"""


def shell_blocks(text: str) -> list[tuple[int, str | None, str]]:
    """``(line, mark, body)`` for each ```sh block; ``mark`` is run/illustrative or None."""
    blocks = []
    for match in FENCE.finditer(text):
        before = text[: match.start()]
        mark = MARK.search(before[before.rfind("\n", 0, len(before) - 1) + 1 :])
        blocks.append((before.count("\n") + 1, mark.group(1) if mark else None, match.group(1)))
    return blocks


def readme_script(text: str) -> str:
    parts = [PREAMBLE]
    for line, mark, body in shell_blocks(text):
        if mark == "run":
            parts.append(f'echo "### README.md line {line}" >&2\n{body}')
    return "\n".join(parts)


def test_every_readme_shell_block_is_marked_run_or_illustrative():
    blocks = shell_blocks((ROOT / "README.md").read_text())
    unmarked = [line for line, mark, _ in blocks if mark is None]
    assert not unmarked, f"README.md shell blocks without a readme-test mark at lines {unmarked}"
    assert sum(mark == "run" for _, mark, _ in blocks) >= 4


def test_shell_blocks_are_found_with_their_marks():
    text = "x\n<!-- readme-test: run -->\n```sh\necho a\n```\n\n```sh\necho b\n```\n"
    assert shell_blocks(text) == [(3, "run", "echo a\n"), (7, None, "echo b\n")]


def _wait_until_serving(process: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"scripts/start exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(1)
    pytest.fail(f"scripts/start did not serve {url} within 300 s:\n{log.read_text()}")


@pytest.fixture
def started_checkout(tmp_path, dns_server):
    """A checkout where ``PORT=<free> scripts/start`` is serving; stopped afterwards."""
    dns_server.set_zones(
        {
            "example.com": good_domain("example.com"),
            "acme.example": good_domain("acme.example"),
            "xn--bcher-kva.example": no_record_domain("xn--bcher-kva.example"),
            "globex.example": good_domain("globex.example"),
        }
    )
    checkout = make_checkout(tmp_path / "tlsmon")
    port = free_port()
    env = user_environment(
        PORT=str(port),
        TLSMON_START_SKIP_INSTALL="true",  # the suite's .venv is installed already
        TLSMON_SQLITE_PATH=str(checkout / "var" / "tlsmon.sqlite3"),
        TLSMON_DNS_NAMESERVERS=f"{dns_server.host}:{dns_server.port}",
        TLSMON_DNS_TIMEOUT="2",
    )
    log = tmp_path / "start.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["scripts/start"],
            cwd=checkout,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # runserver's reloader child goes down with the group
        )
    try:
        _wait_until_serving(process, f"http://127.0.0.1:{port}/healthz", log)
        yield checkout
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_the_readme_examples_work_when_pasted_after_scripts_start(started_checkout):
    script = readme_script((ROOT / "README.md").read_text())
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=started_checkout,
        env=user_environment(),  # the second terminal: nothing exported
        capture_output=True,
        text=True,
        timeout=900,
    )
    where = result.stderr.rsplit("### ", 1)[-1]
    assert result.returncode == 0, f"failed at {where}\n--- stdout (tail)\n{result.stdout[-3000:]}"
    assert result.stdout.rstrip().endswith("304")  # the last example: nothing changed
    assert '"row":4,"input":"not a domain","status":"invalid"' in result.stdout  # CSV file line
