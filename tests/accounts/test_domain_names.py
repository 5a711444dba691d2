"""Domain-name normalization: what the user types becomes the stored A-label, or a clear error."""

from __future__ import annotations

import pytest

from accounts.domain_names import DomainName, DomainNameError, normalize_domain_name

# A name of exactly 253 characters: three 63-character labels, one of 57, and "com".
NAME_253 = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 57, "com"])
NAME_254 = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 58, "com"])

VALID = [
    pytest.param("example.com", "example.com", "example.com", id="plain-name-unchanged"),
    pytest.param("Example.COM", "example.com", "example.com", id="upper-case-lowered"),
    pytest.param("example.com.", "example.com", "example.com", id="one-trailing-dot-removed"),
    pytest.param("  example.com\t\n", "example.com", "example.com", id="surrounding-space-trimmed"),
    pytest.param(" Example.COM. ", "example.com", "example.com", id="space-case-and-dot-together"),
    pytest.param(
        "Bücher.Example", "xn--bcher-kva.example", "bücher.example", id="idn-latin-with-capitals"
    ),
    pytest.param("例え.テスト", "xn--r8jz45g.xn--zckzah", "例え.テスト", id="idn-japanese"),
    pytest.param("münchen.de", "xn--mnchen-3ya.de", "münchen.de", id="idn-munchen"),
    pytest.param("example.рф", "example.xn--p1ai", "example.рф", id="name-under-idn-tld"),
    pytest.param(
        "xn--bcher-kva.example", "xn--bcher-kva.example", "bücher.example", id="a-label-input"
    ),
    pytest.param("XN--MNCHEN-3YA.DE", "xn--mnchen-3ya.de", "münchen.de", id="a-label-upper-case"),
    pytest.param("example.co.uk", "example.co.uk", "example.co.uk", id="under-two-label-suffix"),
    pytest.param("sub.example.com", "sub.example.com", "sub.example.com", id="subdomain"),
    pytest.param("a-b.example.com", "a-b.example.com", "a-b.example.com", id="inner-hyphen"),
    pytest.param("1.2.3.4.example", "1.2.3.4.example", "1.2.3.4.example", id="digit-labels"),
    pytest.param(
        "a" * 63 + ".example", "a" * 63 + ".example", "a" * 63 + ".example", id="label-63"
    ),
    pytest.param(NAME_253, NAME_253, NAME_253, id="name-exactly-253"),
    pytest.param(NAME_253 + ".", NAME_253, NAME_253, id="name-253-plus-trailing-dot"),
]


@pytest.mark.parametrize(("text", "ascii_form", "unicode_form"), VALID)
def test_it_stores_the_a_label_and_keeps_the_unicode_form_for_display(
    text, ascii_form, unicode_form
):
    assert normalize_domain_name(text) == DomainName(ascii=ascii_form, unicode=unicode_form)


@pytest.mark.parametrize(("text", "ascii_form", "unicode_form"), VALID)
def test_normalizing_either_stored_form_again_gives_the_same_name(text, ascii_form, unicode_form):
    expected = DomainName(ascii=ascii_form, unicode=unicode_form)
    assert normalize_domain_name(ascii_form) == expected
    assert normalize_domain_name(unicode_form) == expected


def test_a_domain_name_prints_as_its_a_label():
    assert str(normalize_domain_name("Bücher.Example")) == "xn--bcher-kva.example"


INVALID = [
    pytest.param("", "the domain name is empty", id="empty"),
    pytest.param("   ", "the domain name is empty", id="only-spaces"),
    pytest.param("exa mple.com", "contains white space", id="inner-space"),
    pytest.param("exa\u00a0mple.com", "contains white space", id="inner-no-break-space"),
    pytest.param("http://example.com", "looks like a URL", id="url-with-scheme"),
    pytest.param("example.com/path", "looks like a URL", id="url-with-path"),
    pytest.param("user@example.com", "looks like an email address", id="email-address"),
    pytest.param("example..com", "has an empty label", id="two-dots-inside"),
    pytest.param(".example.com", "has an empty label", id="leading-dot"),
    pytest.param("example.com..", "has an empty label", id="two-trailing-dots"),
    pytest.param(".", "has an empty label", id="only-a-dot"),
    pytest.param("-bad.example", "'-bad' is not a valid label", id="leading-hyphen"),
    pytest.param("bad-.example", "'bad-' is not a valid label", id="trailing-hyphen"),
    pytest.param("bad!.example", "'bad!' is not a valid label", id="punctuation"),
    pytest.param("under_score.example", "'under_score' contains '_'", id="underscore"),
    pytest.param("a" * 64 + ".example", "longer than 63 characters", id="label-64"),
    pytest.param(NAME_254, "the name is 254 characters long; at most 253", id="name-254"),
    pytest.param("x" * 300 + ".com", "at most 253 are allowed", id="name-far-too-long"),
    pytest.param("192.168.1.1", "looks like an IP address", id="ipv4-address"),
    pytest.param("example.123", "looks like an IP address", id="numeric-tld"),
    pytest.param("localhost", "'localhost' has a single label", id="single-label-localhost"),
    pytest.param("intranet", "'intranet' has a single label", id="single-label-intranet"),
    pytest.param("com", "'com' is a public suffix", id="bare-suffix-com"),
    pytest.param("co.uk", "'co.uk' is a public suffix", id="bare-suffix-co-uk"),
    pytest.param("CO.UK.", "'co.uk' is a public suffix", id="bare-suffix-upper-with-dot"),
    pytest.param("xn--p1ai", "'xn--p1ai' is a public suffix", id="bare-suffix-rf-a-label"),
    pytest.param("рф", "'xn--p1ai' is a public suffix", id="bare-suffix-rf-unicode"),
    pytest.param("xn--zz.example", "'xn--zz' is not a valid punycode", id="bad-punycode"),
    pytest.param("ab--cd.example", "'ab--cd' has '--' in the third and fourth", id="reserved-dash"),
    pytest.param("a_b.рф", "not a valid internationalized name", id="idn-with-underscore"),
]


@pytest.mark.parametrize(("text", "fragment"), INVALID)
def test_it_refuses_an_invalid_name_with_a_message_saying_what_is_wrong(text, fragment):
    with pytest.raises(DomainNameError) as excinfo:
        normalize_domain_name(text)
    assert fragment in str(excinfo.value)


def test_the_public_suffix_message_suggests_a_registrable_name():
    with pytest.raises(DomainNameError, match=r"such as 'example\.co\.uk'"):
        normalize_domain_name("co.uk")


def test_it_refuses_a_value_that_is_not_a_string():
    with pytest.raises(DomainNameError, match="must be a string"):
        normalize_domain_name(None)  # type: ignore[arg-type]


def test_a_domain_name_error_is_a_value_error_for_generic_handlers():
    assert issubclass(DomainNameError, ValueError)
