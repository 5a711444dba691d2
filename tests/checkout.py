"""A throwaway checkout for tests that run the repository's scripts as a user would.

``scripts/start`` and ``scripts/manage`` find the checkout from their own path and keep their
state in its ``var/``. The copy links the real scripts, ``manage.py`` and ``.venv`` into a
temporary folder, so the scripts run unchanged while ``var/`` (and any file a README example
writes) stays out of the developer's checkout. Python resolves the ``manage.py`` link, so the
code imported is the repository's own.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_checkout(folder: Path) -> Path:
    """Link the runnable parts of the repository into ``folder``; returns ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("scripts", "manage.py", ".venv"):
        (folder / name).symlink_to(ROOT / name)
    (folder / "var").mkdir()
    return folder


def user_environment(**extra: str) -> dict[str, str]:
    """The environment of a fresh terminal: none of TLSMon's settings exported."""
    names = ("DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "TLSMON_")
    clean = {key: value for key, value in os.environ.items() if not key.startswith(names)}
    return {**clean, **extra}
