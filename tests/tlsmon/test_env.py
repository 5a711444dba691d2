"""Typed environment readers: good values parse, bad ones fail with a message naming the variable.

Every test passes an explicit ``environ`` mapping; os.environ is never read or changed.
"""

from __future__ import annotations

import pytest

from tlsmon.env import (
    EnvError,
    envbool,
    envchoice,
    envdomain,
    envfloat,
    envint,
    envlist,
    envsecret,
    envstr,
    parse_nameservers,
    parse_networks,
)

# --- envstr -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        pytest.param({"NAME": "value"}, "value", id="value"),
        pytest.param({"NAME": "  value \n"}, "value", id="value-trimmed"),
        pytest.param({}, "fallback", id="missing-gives-default"),
    ],
)
def test_envstr_reads_a_trimmed_value_or_the_default(environ, expected):
    assert envstr("NAME", "fallback", environ) == expected


# --- envbool ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["1", "true", "True", "TRUE", "yes", "Yes", "on", "ON", " true ", "\ton\n"],
)
def test_envbool_reads_every_true_spelling_as_true(raw):
    assert envbool("FLAG", False, {"FLAG": raw}) is True


@pytest.mark.parametrize(
    "raw",
    ["0", "false", "False", "FALSE", "no", "No", "off", "OFF", " false ", "\toff\n"],
)
def test_envbool_reads_every_false_spelling_as_false(raw):
    assert envbool("FLAG", True, {"FLAG": raw}) is False


@pytest.mark.parametrize(
    "environ",
    [
        pytest.param({}, id="missing"),
        pytest.param({"FLAG": ""}, id="empty"),
        pytest.param({"FLAG": "   "}, id="blank"),
    ],
)
@pytest.mark.parametrize("default", [True, False])
def test_envbool_gives_the_default_when_unset_or_blank(environ, default):
    assert envbool("FLAG", default, environ) is default


@pytest.mark.parametrize("raw", ["ture", "2", "y", "n", "enable", "truee", "-1", "on off"])
def test_envbool_refuses_an_invalid_value_naming_the_variable(raw):
    with pytest.raises(EnvError) as excinfo:
        envbool("MY_FLAG", False, {"MY_FLAG": raw})
    message = str(excinfo.value)
    assert message.startswith(f"MY_FLAG={raw.lower()!r}")
    assert "is not a boolean" in message


# --- envint -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("42", 42, id="plain"),
        pytest.param(" 7 ", 7, id="trimmed"),
        pytest.param("-3", -3, id="negative"),
        pytest.param("0", 0, id="zero"),
        pytest.param("", 99, id="blank-gives-default"),
    ],
)
def test_envint_reads_a_whole_number(raw, expected):
    assert envint("COUNT", 99, {"COUNT": raw}) == expected


def test_envint_gives_the_default_when_missing():
    assert envint("COUNT", 99, {}) == 99


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("1", 1, id="at-minimum"),
        pytest.param("10", 10, id="at-maximum"),
        pytest.param("5", 5, id="inside"),
    ],
)
def test_envint_accepts_values_within_the_bounds(raw, expected):
    assert envint("COUNT", 5, {"COUNT": raw}, minimum=1, maximum=10) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        pytest.param("0", "COUNT=0 is below the minimum of 1", id="below-minimum"),
        pytest.param("-5", "COUNT=-5 is below the minimum of 1", id="negative"),
        pytest.param("11", "COUNT=11 is above the maximum of 10", id="above-maximum"),
    ],
)
def test_envint_refuses_values_outside_the_bounds(raw, fragment):
    with pytest.raises(EnvError) as excinfo:
        envint("COUNT", 5, {"COUNT": raw}, minimum=1, maximum=10)
    assert fragment in str(excinfo.value)


@pytest.mark.parametrize("raw", ["twenty", "1.5", "0x10", "1e3", "10 000", "ten"])
def test_envint_refuses_a_non_number_naming_the_variable(raw):
    with pytest.raises(EnvError) as excinfo:
        envint("EMAIL_PORT", 25, {"EMAIL_PORT": raw})
    assert f"EMAIL_PORT={raw!r} is not a whole number" in str(excinfo.value)


# --- envfloat -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("2.5", 2.5, id="decimal"),
        pytest.param("3", 3.0, id="whole"),
        pytest.param(" 0.25 ", 0.25, id="trimmed"),
        pytest.param("1e-1", 0.1, id="exponent"),
        pytest.param("0", 0.0, id="zero-is-the-default-minimum"),
        pytest.param("", 5.0, id="blank-gives-default"),
    ],
)
def test_envfloat_reads_a_number(raw, expected):
    assert envfloat("TIMEOUT", 5.0, {"TIMEOUT": raw}) == pytest.approx(expected)


def test_envfloat_gives_the_default_when_missing():
    assert envfloat("TIMEOUT", 5.0, {}) == 5.0


def test_envfloat_accepts_a_value_equal_to_the_minimum():
    assert envfloat("TIMEOUT", 5.0, {"TIMEOUT": "0.1"}, minimum=0.1) == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("raw", "minimum", "fragment"),
    [
        pytest.param("-0.5", 0.0, "TIMEOUT=-0.5 is below the minimum of 0.0", id="negative"),
        pytest.param("0.05", 0.1, "TIMEOUT=0.05 is below the minimum of 0.1", id="below-minimum"),
    ],
)
def test_envfloat_refuses_a_value_below_the_minimum(raw, minimum, fragment):
    with pytest.raises(EnvError) as excinfo:
        envfloat("TIMEOUT", 5.0, {"TIMEOUT": raw}, minimum=minimum)
    assert fragment in str(excinfo.value)


@pytest.mark.parametrize("raw", ["fast", "1,5", "5s", "one"])
def test_envfloat_refuses_a_non_number_naming_the_variable(raw):
    with pytest.raises(EnvError) as excinfo:
        envfloat("TIMEOUT", 5.0, {"TIMEOUT": raw})
    assert f"TIMEOUT={raw!r} is not a number" in str(excinfo.value)


@pytest.mark.parametrize("raw", ["nan", "NaN", "inf", "infinity", "1e400"])
def test_envfloat_refuses_a_value_that_is_not_a_finite_number(raw):
    # NaN compares false with the minimum, so without an explicit check it slips through;
    # TLSMON_DNS_TIMEOUT=nan or =inf must stop the process like any other bad value.
    with pytest.raises(EnvError, match="TLSMON_DNS_TIMEOUT"):
        envfloat("TLSMON_DNS_TIMEOUT", 5.0, {"TLSMON_DNS_TIMEOUT": raw}, minimum=0.1)


# --- envlist ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("a,b,c", ["a", "b", "c"], id="plain"),
        pytest.param(" a , b ,c ", ["a", "b", "c"], id="items-trimmed"),
        pytest.param("a,,b, ,", ["a", "b"], id="blank-items-dropped"),
        pytest.param(",a", ["a"], id="leading-comma"),
        pytest.param("single", ["single"], id="one-item"),
        pytest.param(", ,", [], id="only-blank-items"),
    ],
)
def test_envlist_splits_on_commas_and_drops_blank_items(raw, expected):
    assert envlist("HOSTS", ["default"], {"HOSTS": raw}) == expected


@pytest.mark.parametrize(
    "environ",
    [pytest.param({}, id="missing"), pytest.param({"HOSTS": "  "}, id="blank")],
)
def test_envlist_gives_a_copy_of_the_default_when_unset_or_blank(environ):
    default = ["x", "y"]
    result = envlist("HOSTS", default, environ)
    assert result == ["x", "y"]
    result.append("z")
    assert default == ["x", "y"]


# --- envsecret ----------------------------------------------------------------------------------


def test_envsecret_reads_the_value_directly():
    assert envsecret("SECRET_KEY", "", {"SECRET_KEY": "s3cr3t"}) == "s3cr3t"


def test_envsecret_gives_the_default_when_neither_form_is_set():
    assert envsecret("SECRET_KEY", "fallback", {}) == "fallback"


def test_envsecret_reads_the_file_named_by_name_file_trimmed(tmp_path):
    secret_file = tmp_path / "secret_key"
    secret_file.write_text("from-a-file\n", encoding="utf-8")
    environ = {"SECRET_KEY_FILE": str(secret_file)}
    assert envsecret("SECRET_KEY", "fallback", environ) == "from-a-file"


def test_envsecret_reads_the_file_when_the_direct_value_is_empty(tmp_path):
    secret_file = tmp_path / "secret_key"
    secret_file.write_text("from-a-file", encoding="utf-8")
    environ = {"SECRET_KEY": "", "SECRET_KEY_FILE": str(secret_file)}
    assert envsecret("SECRET_KEY", "", environ) == "from-a-file"


def test_envsecret_refuses_both_the_value_and_the_file(tmp_path):
    secret_file = tmp_path / "secret_key"
    secret_file.write_text("from-a-file", encoding="utf-8")
    environ = {"SECRET_KEY": "direct", "SECRET_KEY_FILE": str(secret_file)}
    with pytest.raises(EnvError, match="set either SECRET_KEY or SECRET_KEY_FILE, not both"):
        envsecret("SECRET_KEY", "", environ)


def test_envsecret_refuses_a_missing_file_naming_the_variable_and_path(tmp_path):
    missing = tmp_path / "does-not-exist"
    with pytest.raises(EnvError) as excinfo:
        envsecret("SECRET_KEY", "", {"SECRET_KEY_FILE": str(missing)})
    message = str(excinfo.value)
    assert f"SECRET_KEY_FILE={str(missing)!r} cannot be read" in message
    assert "No such file" in message


def test_envsecret_refuses_a_directory_as_the_file(tmp_path):
    with pytest.raises(EnvError, match=r"SECRET_KEY_FILE=.* cannot be read"):
        envsecret("SECRET_KEY", "", {"SECRET_KEY_FILE": str(tmp_path)})


def test_envsecret_refuses_a_file_that_is_not_utf8_naming_the_variable(tmp_path):
    secret_file = tmp_path / "secret_key"
    secret_file.write_bytes(b"\xff\xfe binary secret")
    with pytest.raises(EnvError, match="SECRET_KEY_FILE"):
        envsecret("SECRET_KEY", "", {"SECRET_KEY_FILE": str(secret_file)})


# --- parse_nameservers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(["127.0.0.1:5353"], [("127.0.0.1", 5353)], id="ipv4-with-port"),
        pytest.param(["10.0.0.1"], [("10.0.0.1", 53)], id="ipv4-default-port"),
        pytest.param(["::1"], [("::1", 53)], id="bare-ipv6-default-port"),
        pytest.param(["2001:db8::53"], [("2001:db8::53", 53)], id="bare-ipv6-long"),
        pytest.param(["[::1]:5300"], [("::1", 5300)], id="bracketed-ipv6-with-port"),
        pytest.param(["[2001:db8::1]"], [("2001:db8::1", 53)], id="bracketed-ipv6-no-port"),
        pytest.param(["127.0.0.1:1"], [("127.0.0.1", 1)], id="lowest-port"),
        pytest.param(["127.0.0.1:65535"], [("127.0.0.1", 65535)], id="highest-port"),
        pytest.param(
            ["10.0.0.1", "[::1]:5300", "127.0.0.1:5353"],
            [("10.0.0.1", 53), ("::1", 5300), ("127.0.0.1", 5353)],
            id="several-in-order",
        ),
        pytest.param([], [], id="empty-means-system-resolver"),
    ],
)
def test_parse_nameservers_reads_host_and_port(raw, expected):
    assert parse_nameservers(raw) == expected


def test_parse_nameservers_uses_the_given_default_port():
    assert parse_nameservers(["10.0.0.1", "[::1]"], default_port=5353) == [
        ("10.0.0.1", 5353),
        ("::1", 5353),
    ]


@pytest.mark.parametrize(
    ("item", "fragment"),
    [
        pytest.param("dns.example.com:53", "does not start with an IP address", id="host-name"),
        pytest.param("dns.example.com", "does not start with an IP address", id="bare-host-name"),
        pytest.param("", "does not start with an IP address", id="empty"),
        pytest.param("999.0.0.1", "does not start with an IP address", id="bad-ipv4"),
        pytest.param("127.0.0.1:0", "has an invalid port", id="port-zero"),
        pytest.param("127.0.0.1:65536", "has an invalid port", id="port-65536"),
        pytest.param("127.0.0.1:99999", "has an invalid port", id="port-99999"),
        pytest.param("127.0.0.1:abc", "has an invalid port", id="port-not-a-number"),
        pytest.param("127.0.0.1:", "has an invalid port", id="port-empty"),
        pytest.param("127.0.0.1:-53", "has an invalid port", id="port-negative"),
        pytest.param("[::1]:", "has an invalid port", id="bracketed-port-empty"),
        pytest.param("[::1]:99999", "has an invalid port", id="bracketed-port-too-big"),
        pytest.param("[::1", "is not [ipv6]:port", id="unclosed-bracket"),
        pytest.param("[::1]5300", "is not [ipv6]:port", id="no-colon-after-bracket"),
        pytest.param("[dns.example]:53", "does not start with an IP address", id="bracketed-name"),
    ],
)
def test_parse_nameservers_refuses_an_invalid_entry_naming_it(item, fragment):
    with pytest.raises(EnvError) as excinfo:
        parse_nameservers(["10.0.0.1", item])
    message = str(excinfo.value)
    assert message.startswith(f"TLSMON_DNS_NAMESERVERS: {item!r}")
    assert fragment in message


# --- envdomain ----------------------------------------------------------------------------------


def test_envdomain_reads_a_lower_case_name_without_the_trailing_dot():
    assert envdomain("D", "x.example", {"D": "Reports.Example.NET."}) == "reports.example.net"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("127.0.0.1", "is an IP address"),
        ("[::1]", "is an IP address"),
        ("https://reports.example.com", "is not a domain name"),
        ("tls@reports.example.com", "is not a domain name"),
    ],
)
def test_envdomain_refuses_what_cannot_carry_dns_names(raw, fragment):
    with pytest.raises(EnvError, match=fragment):
        envdomain("TLSMON_REPORT_DOMAIN", "x.example", {"TLSMON_REPORT_DOMAIN": raw})


# --- parse_networks (TLSMON_TRUSTED_PROXIES) -----------------------------------------------------


def test_parse_networks_normalizes_addresses_and_networks():
    assert parse_networks("X", ["10.0.0.5", "172.16.0.0/12", "::1", "2001:db8::/32"]) == [
        "10.0.0.5/32",
        "172.16.0.0/12",
        "::1/128",
        "2001:db8::/32",
    ]


@pytest.mark.parametrize("item", ["proxy.example", "10.0.0.0/33", "999.1.1.1", "10.0.0.1:80"])
def test_parse_networks_refuses_an_invalid_entry_naming_the_variable(item):
    with pytest.raises(EnvError, match=r"^TLSMON_TRUSTED_PROXIES: .* is not an IP address"):
        parse_networks("TLSMON_TRUSTED_PROXIES", ["10.0.0.1", item])


# --- envchoice ----------------------------------------------------------------------------------


def test_envchoice_reads_one_of_the_choices_in_any_case_and_defaults_when_blank():
    choices = ("off", "record", "require")
    assert envchoice("D", "record", choices, {"D": " Require "}) == "require"
    assert envchoice("D", "record", choices, {"D": ""}) == "record"


def test_envchoice_refuses_anything_else_naming_the_variable_and_the_choices():
    with pytest.raises(EnvError, match=r"^D='sometimes': use off, record or require$"):
        envchoice("D", "record", ("off", "record", "require"), {"D": "sometimes"})
