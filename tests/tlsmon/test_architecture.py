"""The map in docs/architecture.md, enforced: who may import whom, what the project package
holds, and which modules stay pure (no Django, no I/O)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "tlsmon",
    "api",
    "core",
    "accounts",
    "scans",
    "reports",
    "portfolio",
    "notify",
    "web",
    "demo",
)

# What each package may import of ours (docs/architecture.md, "Who imports whom").
ALLOWED = {
    "core": set(),
    "api": {"accounts", "core"},
    "accounts": {"core"},
    "scans": {"accounts", "api", "core"},
    "reports": {"accounts", "api", "core"},
    "portfolio": {"accounts", "api", "core", "scans", "reports"},
    "notify": {"accounts", "api", "core", "scans", "reports", "portfolio"},
    "web": {"accounts", "api", "core", "scans", "reports", "portfolio", "notify"},
    "demo": {"accounts", "core", "scans", "reports", "portfolio", "notify"},
}
# accounts' REST edge may use the shared DRF plumbing; the rest of accounts may not.
ACCOUNTS_REST_EDGE = {"api.py", "filters.py", "serializers.py"}

PURE = [
    "core/vocabulary.py",
    "core/result_types.py",
    "web/charts.py",
    "accounts/domain_names.py",
    "accounts/idn_scripts.py",
    "accounts/tokens.py",
    "accounts/bulk_input.py",
    "tlsmon/env.py",
    "tlsmon/beat.py",
    "scans/records.py",
    "scans/addresses.py",
    "scans/rua_uri.py",
    "scans/mta_sts.py",
    "scans/external.py",
    "scans/findings.py",
    "scans/scoring.py",
    "scans/evaluate.py",
    "scans/changes.py",
    "scans/schedule.py",
    "scans/results.py",
    "scans/observations.py",
    "scans/reporting_record.py",
    "scans/tools.py",
    "reports/report_parsing.py",
    "reports/report_fields.py",
    "reports/report_decompress.py",
    "reports/email_parsing.py",
    "notify/alert_rules.py",
    "notify/scan_alert_rules.py",
    "notify/report_alert_rules.py",
    "notify/grouping.py",
    "notify/signing.py",
    "notify/payloads.py",
    "notify/digest_schedule.py",
    "notify/digest_content.py",
]
# celery.schedules (crontab values in tlsmon/beat.py) is plain data, so celery is not listed.
IMPURE_ROOTS = {
    "django",
    "rest_framework",
    "redis",
    "psycopg",
    "socket",
    "ssl",
    "imaplib",
    "smtplib",
}


def _modules(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_app_imports_only_the_apps_above_it(package):
    wrong = []
    for path in _modules(package):
        allowed = set(ALLOWED[package])
        if package == "accounts" and path.name in ACCOUNTS_REST_EDGE:
            allowed.add("api")
        for name in _imports(path):
            top = name.split(".")[0]
            if top in PACKAGES and top != package and top not in allowed:
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not wrong


def test_the_project_package_holds_wiring_only():
    tlsmon = ROOT / "tlsmon"
    assert not list(tlsmon.rglob("templates")), "pages and templates belong in web/"
    assert not list(tlsmon.rglob("management")), "commands belong in the app that owns them"
    product = []
    for path in _modules("tlsmon"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                bases = {ast.unparse(base) for base in node.bases}
                if bases & {"models.Model", "serializers.Serializer", "GenericViewSet", "View"}:
                    product.append(f"{path.name}: {node.name}")
            if isinstance(node, ast.Call) and ast.unparse(node.func) in {"render", "JsonResponse"}:
                product.append(f"{path.name}: a view")
    assert not product


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_import_neither_django_nor_io(module):
    imported = {name.split(".")[0] for name in _imports(ROOT / module)}
    ours_with_io = {
        name
        for name in _imports(ROOT / module)
        if name.split(".")[0] in PACKAGES
        and (ROOT / (name.replace(".", "/") + ".py")).exists()
        and (name.replace(".", "/") + ".py") not in PURE
    }
    assert not imported & IMPURE_ROOTS
    assert not ours_with_io, "a pure module imports only other pure modules"
