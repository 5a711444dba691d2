"""Property tests: any text gives a normalized name or a DomainNameError, nothing else."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.domain_names import DomainNameError, normalize_domain_name

label = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9-]{0,20}[A-Za-z0-9])?", fullmatch=True)


@settings(max_examples=500)
@given(st.text(max_size=300))
def test_any_text_is_either_normalized_or_refused_with_a_message(text):
    try:
        result = normalize_domain_name(text)
    except DomainNameError as exc:
        assert str(exc)
        return
    assert result.ascii == result.ascii.lower().strip()
    assert result.ascii.isascii() and not result.ascii.endswith(".")
    assert normalize_domain_name(result.ascii) == result  # normalizing twice changes nothing


@given(st.lists(label, min_size=1, max_size=4), st.booleans())
def test_case_and_a_trailing_dot_never_change_the_stored_name(labels, trailing_dot):
    name = ".".join(labels) + ".example"
    variant = name.upper() + ("." if trailing_dot else "")
    try:
        expected = normalize_domain_name(name)
    except DomainNameError:
        return
    assert normalize_domain_name(variant) == expected
