"""scripts/manage and manage.py: management commands work after scripts/start, with no exports."""

from __future__ import annotations

import subprocess
import sys

from tests.checkout import ROOT, make_checkout, user_environment

SHOW = "from django.conf import settings; print(settings.DEBUG, settings.TLSMON_BASE_URL)"


def run(args: list[str], cwd, env) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_manage_script_reads_the_settings_scripts_start_wrote(tmp_path):
    checkout = make_checkout(tmp_path / "tlsmon")
    (checkout / "var" / "start.env").write_text(
        "DEBUG=true\nTLSMON_BASE_URL=http://127.0.0.1:8123\n"
        "BASE=http://127.0.0.1:8123/api/v1\nTOKEN=tlsm_x\n"
    )
    result = run(
        ["scripts/manage", "shell", "--no-imports", "-c", SHOW], checkout, user_environment()
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "http://127.0.0.1:8123"]


def test_the_environment_wins_over_the_start_file(tmp_path):
    checkout = make_checkout(tmp_path / "tlsmon")
    (checkout / "var" / "start.env").write_text("TLSMON_BASE_URL=http://127.0.0.1:8123\n")
    env = user_environment(TLSMON_BASE_URL="http://127.0.0.1:9999")
    result = run(["scripts/manage", "shell", "--no-imports", "-c", SHOW], checkout, env)
    assert result.stdout.split() == ["True", "http://127.0.0.1:9999"], result.stderr


def test_manage_script_without_a_start_file_runs_in_development_mode(tmp_path):
    checkout = make_checkout(tmp_path / "tlsmon")
    result = run(
        ["scripts/manage", "shell", "--no-imports", "-c", SHOW], checkout, user_environment()
    )
    assert result.stdout.split()[0] == "True", result.stderr


def test_plain_manage_py_without_settings_explains_itself_without_a_traceback():
    result = run([sys.executable, "manage.py", "create_token"], ROOT, user_environment())
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "scripts/manage" in result.stderr
    assert result.stdout == ""
