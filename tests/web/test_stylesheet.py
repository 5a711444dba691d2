"""The stylesheet's blocks are closed: one missing ``}`` after a ``@media (max-width: 600px)``
block once put every later rule (switcher, onboarding, dashboard) inside it, so at 1366 px
those pages rendered unstyled while the phone screenshots looked right."""

from __future__ import annotations

import re
from pathlib import Path

STYLESHEETS = sorted((Path(__file__).resolve().parents[2] / "web" / "static").rglob("*.css"))


def test_there_is_a_stylesheet_to_check():
    assert STYLESHEETS


def test_every_block_is_closed_and_media_queries_are_not_nested():
    for path in STYLESHEETS:
        text = re.sub(r"/\*.*?\*/", "", path.read_text(), flags=re.S)  # braces in comments
        depth = 0
        for number, line in enumerate(text.split("\n"), 1):
            if line.lstrip().startswith("@media") or line.lstrip().startswith("@supports"):
                assert depth == 0, f"{path.name}:{number}: @-rule opened inside another block"
            depth += line.count("{") - line.count("}")
            assert depth >= 0, f"{path.name}:{number}: '}}' closes nothing"
        assert depth == 0, f"{path.name}: {depth} block(s) never closed"
