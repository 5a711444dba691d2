"""The receiver snippet README.md documents accepts what TLSMon sends and nothing else."""

from __future__ import annotations

import re
import time
from pathlib import Path

from notify.signing import signature_header

README = Path(__file__).resolve().parents[2] / "README.md"


def _snippet():
    text = README.read_text()
    section = text[text.index("## Alerts and webhooks") :]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    return namespace["tlsmon_request_is_genuine"]


def test_the_documented_verification_accepts_a_real_signature_and_refuses_tampering():
    genuine = _snippet()
    body = b'{"event":"alert.opened"}'
    now = int(time.time())
    header = signature_header("whsec_doc", now, body)

    assert genuine("whsec_doc", header, body)
    assert not genuine("whsec_doc", header, body + b" ")
    assert not genuine("whsec_other", header, body)
    assert not genuine("whsec_doc", signature_header("whsec_doc", now - 3600, body), body)
