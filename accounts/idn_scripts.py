"""Which scripts an internationalized label mixes (pure: no Django, no I/O).

A label that mixes scripts, such as "paypal" spelt with a Cyrillic "a" among Latin letters, is the
classic homograph: it reads as another name. The rule is the "highly restrictive" level of
Unicode UTS #39 (section 5.2): every letter of a label must share one script, except that Latin
may be written with Han and Japanese kana, with Han and Bopomofo, or with Han and Hangul.
Digits, the hyphen and combining marks belong to every script. The check is per label, so a
Cyrillic name under ``.com`` is not mixed. Script properties come from the ``regex`` package,
which tracks the current Unicode version (the standard library has no script property).
"""

from __future__ import annotations

from functools import lru_cache

import regex

# The scripts of IDN tables in the root zone and the main registries. A letter of any other
# script counts as the script "Other": mixed with one of these it is flagged all the same.
SCRIPTS = (
    "Arabic",
    "Armenian",
    "Bengali",
    "Bopomofo",
    "Canadian_Aboriginal",
    "Cherokee",
    "Cyrillic",
    "Devanagari",
    "Ethiopic",
    "Georgian",
    "Greek",
    "Gujarati",
    "Gurmukhi",
    "Han",
    "Hangul",
    "Hebrew",
    "Hiragana",
    "Kannada",
    "Katakana",
    "Khmer",
    "Lao",
    "Latin",
    "Malayalam",
    "Mongolian",
    "Myanmar",
    "Nko",
    "Oriya",
    "Sinhala",
    "Syriac",
    "Tamil",
    "Telugu",
    "Thaana",
    "Thai",
    "Tibetan",
    "Tifinagh",
    "Yi",
)
_SCRIPT_PATTERNS = {name: regex.compile(rf"\p{{scx={name}}}") for name in SCRIPTS}
_NEUTRAL = regex.compile(r"[\p{sc=Common}\p{sc=Inherited}]")
_WRITTEN_TOGETHER = (
    frozenset({"Latin", "Han", "Hiragana", "Katakana"}),  # Japanese
    frozenset({"Latin", "Han", "Bopomofo"}),  # Chinese
    frozenset({"Latin", "Han", "Hangul"}),  # Korean
)


@lru_cache(maxsize=4096)
def char_scripts(ch: str) -> frozenset[str]:
    """The scripts a character is used with (Script_Extensions); empty for neutral ones."""
    if _NEUTRAL.match(ch):
        return frozenset()
    found = frozenset(name for name, pattern in _SCRIPT_PATTERNS.items() if pattern.match(ch))
    return found or frozenset({"Other"})


def mixed_scripts(label: str) -> tuple[str, ...]:
    """The scripts a label mixes, sorted; empty when the label is acceptable."""
    if label.isascii():
        return ()
    sets = [s for s in map(char_scripts, label) if s]
    if not sets or frozenset.intersection(*sets):
        return ()
    if any(all(s & allowed for s in sets) for allowed in _WRITTEN_TOGETHER):
        return ()
    return tuple(sorted(frozenset.union(*sets)))
