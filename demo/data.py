"""The demo tenant set used by ``manage.py seed_demo`` (data only)."""

DEMO_MSP = ("Demo MSP", "demo-msp")
DEMO_CLIENTS = {
    ("Acme Manufacturing", "acme"): [
        ("acme.example", ["production"]),
        ("acme-mail.example", ["production"]),
        ("acme.test", ["staging"]),
        ("shop.acme.example", ["production", "web"]),
        ("acme-legacy.example", ["legacy"]),
        ("bücher.example", ["idn"]),
    ],
    ("Globex Health", "globex"): [
        ("globex.example", ["production"]),
        ("globex-clinic.example", ["production"]),
        ("mail.globex.example", ["production"]),
        ("globex.test", ["staging"]),
        ("globex-research.example", ["research"]),
        ("globex-archive.example", ["legacy"]),
    ],
}
DEMO_USER_EMAIL = "demo@tlsmon.localhost"
