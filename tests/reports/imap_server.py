"""A throwaway Dovecot IMAP server on a loopback port, for the live mailbox tests.

Dovecot runs in the foreground (``dovecot -F``) from a generated config in a temporary
directory: its sockets, state, log and Maildir all live there, and one passwd-file user logs in
with a plain password. Nothing under /etc or /var/run is read or written. As root, the login and
mail processes drop to Debian's ``dovenull``/``dovecot`` users (Dovecot refuses mail access as
uid 0); as another user, everything runs as that user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import trustme
from imap_tools import MailBoxUnencrypted

from tests.services import require_service

USER = "reports@tlsmon.test"
PASSWORD = "imap-test-password"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
instance_name = tlsmon-test-{port}
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = {ssl}
{ssl_files}disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = {uid}
last_valid_uid = 0
mail_location = maildir:{root}/mail/%n
mail_uid = {uid}
mail_gid = {gid}
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%n
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _accounts() -> dict[str, str | int]:
    """Which system users Dovecot's processes run as (see the module docstring)."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        return {
            "internal_user": me.pw_name,
            "internal_group": me.pw_name,
            "login_user": me.pw_name,
            "uid": me.pw_uid,
            "gid": me.pw_gid,
        }
    mail = pwd.getpwnam("dovecot")
    return {
        "internal_user": "dovecot",
        "internal_group": "dovecot",
        "login_user": "dovenull",
        "uid": mail.pw_uid,
        "gid": mail.pw_gid,
    }


@dataclass
class DovecotServer:
    """One running Dovecot: where it listens, who logs in, and how to stop it."""

    root: Path
    port: int
    tls_port: int = 0  # implicit-TLS listener (0: none); needs ``ca``
    ca: trustme.CA | None = field(default=None, repr=False)
    process: subprocess.Popen | None = field(default=None, repr=False)
    host: str = "127.0.0.1"
    user: str = USER
    password: str = PASSWORD

    def start(self) -> None:
        accounts = _accounts()
        for sub in ("run", "state", "mail", "home"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        (self.root / "passwd").write_text(f"{self.user}:{{PLAIN}}{self.password}\n")
        conf = self.root / "dovecot.conf"
        conf.write_text(
            CONFIG.format(
                root=self.root, port=self.port, tls_port=self.tls_port, **self._tls(), **accounts
            )
        )
        for sub in ("mail", "home"):
            shutil.chown(self.root / sub, int(accounts["uid"]), int(accounts["gid"]))
        os.chmod(self.root, 0o755)
        self.process = subprocess.Popen(
            ["dovecot", "-F", "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=open(self.root / "stderr.log", "wb"),  # noqa: SIM115 - lives with the process
            start_new_session=True,
        )
        self._wait_until_ready()

    def _tls(self) -> dict[str, str]:
        """Dovecot's TLS settings: a certificate for 127.0.0.1 from the test CA, or TLS off."""
        if self.ca is None:
            return {"ssl": "no", "ssl_files": ""}
        cert = self.ca.issue_cert("127.0.0.1", "localhost")
        cert.cert_chain_pems[0].write_to_path(str(self.root / "cert.pem"))
        cert.private_key_pem.write_to_path(str(self.root / "key.pem"))
        files = f"ssl_cert = <{self.root}/cert.pem\nssl_key = <{self.root}/key.pem\n"
        return {"ssl": "yes", "ssl_files": files}

    def client_ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts the test CA (and nothing else)."""
        if self.ca is None:
            raise RuntimeError("this server has no TLS listener")
        return ssl.create_default_context(cadata=self.ca.cert_pem.bytes().decode())

    def _wait_until_ready(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited at start:\n{self.log()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as sock:
                    if sock.recv(200).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not answer on {self.host}:{self.port}:\n{self.log()}")

    def log(self) -> str:
        parts = []
        for name in ("stderr.log", "dovecot.log"):
            path = self.root / name
            if path.exists():
                parts.append(path.read_text(errors="replace")[-4000:])
        return "\n".join(parts)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def mailbox(self) -> MailBoxUnencrypted:
        """A logged-in imap-tools client for test setup and assertions (plain IMAP)."""
        return MailBoxUnencrypted(self.host, self.port).login(self.user, self.password)

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        """Put one message into ``folder`` the way a mail server would (IMAP APPEND)."""
        with self.mailbox() as box:
            box.append(raw, folder)

    def messages(self, folder: str) -> list[bytes]:
        """Raw bytes of every message in ``folder`` (empty if the folder does not exist)."""
        with self.mailbox() as box:
            if not box.folder.exists(folder):
                return []
            box.folder.set(folder)
            return [msg.obj.as_bytes() for msg in box.fetch(mark_seen=False)]

    def settings_for(self) -> dict[str, object]:
        """The TLSMON_IMAP_* settings that point the product at this server."""
        return {
            "TLSMON_IMAP_HOST": self.host,
            "TLSMON_IMAP_PORT": self.port,
            "TLSMON_IMAP_SECURITY": "plain",
            "TLSMON_IMAP_USER": self.user,
            "TLSMON_IMAP_PASSWORD": self.password,
        }


@pytest.fixture(scope="session", name="dovecot_server")
def dovecot_server_fixture() -> Iterator[DovecotServer]:
    """One Dovecot per test session; tests keep apart by emptying its folders.

    Its directory is a fresh one under the system temp dir, not pytest's ``tmp_path``: as root,
    Dovecot's unprivileged processes must be able to enter it, and pytest's base is 0700.
    """
    require_service(shutil.which("dovecot") is not None, "Dovecot (apt install dovecot-imapd)")
    root = Path(tempfile.mkdtemp(prefix="tlsmon-dovecot-"))
    server = DovecotServer(root=root, port=free_port(), tls_port=free_port(), ca=trustme.CA())
    try:
        server.start()
    except (RuntimeError, OSError) as exc:
        shutil.rmtree(root, ignore_errors=True)
        require_service(False, f"Dovecot ({exc})")
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(name="imap_server")
def imap_server_fixture(dovecot_server, settings) -> DovecotServer:
    """The session's Dovecot with empty folders, and the settings that point at it."""
    with dovecot_server.mailbox() as box:
        for info in sorted(box.folder.list(), key=lambda f: -len(f.name)):
            if info.name.upper() == "INBOX":
                box.folder.set("INBOX")
                box.delete(box.uids())
            elif box.folder.exists(info.name):  # a parent may be gone with its children
                box.folder.delete(info.name)
    for name, value in dovecot_server.settings_for().items():
        setattr(settings, name, value)
    return dovecot_server
