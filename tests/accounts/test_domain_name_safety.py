"""Domain names that look like something else: special-use names, invisible characters and
labels that mix scripts."""

from __future__ import annotations

import pytest

from accounts.domain_names import DomainNameError, normalize_domain_name
from accounts.idn_scripts import mixed_scripts
from accounts.services import domain_create
from tests.web.helpers import login

CYRILLIC_A = "\u0430"
LOOKALIKE = f"p{CYRILLIC_A}ypal.com"  # reads as paypal.com
LOOKALIKE_A_LABEL = "xn--pypal-4ve.com"


@pytest.mark.parametrize(
    "name",
    [
        "printer.local",
        "app.localhost",
        "nothing.invalid",
        "hidden.onion",
        "x.alt",
        "nas.home.arpa",
        "corp.internal",
        "Deep.Sub.LOCAL.",
    ],
)
def test_special_use_names_are_refused_because_they_never_exist_in_public_dns(name):
    with pytest.raises(DomainNameError, match="special-use name"):
        normalize_domain_name(name)


@pytest.mark.parametrize("name", ["demo.example", "acme.test", "example.com", "localhost.example"])
def test_example_and_test_names_stay_accepted_for_demos_and_tests(name):
    assert normalize_domain_name(name).ascii == name


@pytest.mark.parametrize(
    ("char", "name"),
    [
        ("\u200b", "ZERO WIDTH SPACE"),
        ("\u00ad", "SOFT HYPHEN"),
        ("\u200d", "ZERO WIDTH JOINER"),
        ("\u200c", "ZERO WIDTH NON-JOINER"),
        ("\u2060", "WORD JOINER"),
        ("\ufeff", "ZERO WIDTH NO-BREAK SPACE"),
        ("\u200e", "LEFT-TO-RIGHT MARK"),
        ("\u034f", "COMBINING GRAPHEME JOINER"),
        ("\ufe0f", "VARIATION SELECTOR-16"),
        ("\u180b", "MONGOLIAN FREE VARIATION SELECTOR ONE"),
        ("\u3164", "HANGUL FILLER"),
    ],
)
def test_invisible_characters_are_refused_by_name_not_stripped(char, name):
    with pytest.raises(DomainNameError, match=f"invisible character, U\\+{ord(char):04X} {name}"):
        normalize_domain_name(f"exam{char}ple.com")


@pytest.mark.parametrize(
    ("label", "scripts"),
    [
        (f"p{CYRILLIC_A}ypal", ("Cyrillic", "Latin")),
        ("\u03b1bc", ("Greek", "Latin")),  # Greek alpha + "bc"
        ("\u0440aypal", ("Cyrillic", "Latin")),  # Cyrillic "er" + Latin
    ],
)
def test_labels_that_mix_scripts_are_named(label, scripts):
    assert mixed_scripts(label) == scripts


@pytest.mark.parametrize(
    "label",
    [
        "example",
        "bücher",
        "пример",  # all Cyrillic
        "παράδειγμα",  # all Greek
        "日本語ドメイン",  # Han + Katakana: Japanese
        "日本abc",  # Han + Latin: allowed together
        "한국abc",  # Hangul + Latin: Korean
        "中文-123",  # digits and hyphen belong to every script
    ],
)
def test_single_script_labels_and_the_usual_cjk_mixes_are_not_flagged(label):
    assert mixed_scripts(label) == ()


def test_a_mixed_script_name_is_accepted_with_a_warning():
    name = normalize_domain_name(LOOKALIKE)
    assert name.ascii == LOOKALIKE_A_LABEL
    assert len(name.warnings) == 1
    assert "mixes scripts (Cyrillic, Latin)" in name.warnings[0]
    assert normalize_domain_name("bücher.example").warnings == ()


@pytest.mark.django_db
def test_the_api_shows_the_warning_beside_the_a_label(org, api_client):
    client = api_client(org, write=True)
    created = client.post("/api/v1/domains/", {"name": LOOKALIKE}, format="json").json()
    assert created["name"] == LOOKALIKE_A_LABEL
    assert "mixes scripts" in created["name_warnings"][0]
    plain = client.post("/api/v1/domains/", {"name": "plain.example"}, format="json").json()
    assert plain["name_warnings"] == []


@pytest.mark.django_db
def test_the_api_refuses_an_invisible_character_naming_the_field(org, api_client):
    response = api_client(org, write=True).post(
        "/api/v1/domains/", {"name": "exa\u200bmple.com"}, format="json"
    )
    assert response.status_code == 400
    assert "ZERO WIDTH SPACE" in response.json()["fields"]["name"][0]


@pytest.mark.django_db
def test_the_domain_page_shows_the_warning_beside_the_a_label(client, org):
    login(client, org, "viewer")
    domain = domain_create(organization=org, name=LOOKALIKE)
    page = client.get(f"/o/{org.slug}/domains/{domain.pk}/").content.decode()
    a_label = page[page.index('id="a-label"') :].split("</p>", 1)[0]
    assert LOOKALIKE_A_LABEL in a_label
    assert "mixes scripts (Cyrillic, Latin)" in a_label
    listing = client.get(f"/o/{org.slug}/domains/").content.decode()
    assert "mixed scripts" in listing
