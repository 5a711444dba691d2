"""``manage.py ingest_reports``: files, folders, mbox, Maildir, --json, rejections, routing."""

from __future__ import annotations

import json
import mailbox
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from reports.models import QuarantinedPolicy, Report, ReportPolicy
from tests.reports.conftest import report_address, report_json, sample_bytes, with_recipient
from tests.reports.samples import SAMPLES_DIR, expected_rows, sample_files

pytestmark = pytest.mark.django_db

GOOGLE_1 = "tlsrpt-digest/tlsrpt_success_google_1.eml"
GOOGLE_2 = "tlsrpt-digest/tlsrpt_success_google_2.eml"


def run(*args: str) -> dict:
    out = StringIO()
    call_command("ingest_reports", *args, "--json", stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


@pytest.fixture
def tenant(org, own):
    own(org, *{row.policy_domain for row in expected_rows() if row.policy_domain})
    return org


def test_json_output_is_exactly_one_object(tmp_path, tenant):
    (tmp_path / "r.json").write_bytes(sample_bytes("parsedmarc/smtp_tls.json"))
    out = StringIO()
    call_command("ingest_reports", str(tmp_path), "--org", "alpha", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {
        "accepted": 1,
        "duplicates": 0,
        "quarantined": 0,
        "conflicts": 0,
        "rejected": [],
    }


def test_sample_folder_counts_per_report(tmp_path, tenant):
    """GIVEN every sample (25 files; the mail-tls-rpt trio, the two tls-rpt-monitor files and
    the two RFC examples each carry one report), WHEN the folder is ingested, THEN each report
    counts once and the rest are duplicates, except the tls-rpt-monitor pair: one report-id with
    other failure counts (2 vs 0) is a conflict; rpt03.json (no policy-domain) is quarantined."""
    for relative in sample_files():
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLES_DIR / relative, target)
    result = run(str(tmp_path), "--org", "alpha")
    assert result["rejected"] == []
    assert (
        result["accepted"] + result["quarantined"] + result["duplicates"] + result["conflicts"]
        == 25
    )
    assert (result["duplicates"], result["conflicts"]) == (3, 1)
    assert result["quarantined"] == 1
    assert Report.objects.filter(organization=tenant).count() == 20


def test_gzip_and_zip_files_are_read(tmp_path, tenant):
    import zipfile

    shutil.copy(SAMPLES_DIR / "mail-tls-rpt/report.json.gz", tmp_path / "a.json.gz")
    with zipfile.ZipFile(tmp_path / "b.zip", "w") as archive:
        archive.writestr("one.json", sample_bytes("parsedmarc/smtp_tls.json"))
        archive.writestr("two.json", sample_bytes("dmarc-report-viewer/google.json"))
    result = run(str(tmp_path), "--org", "alpha")
    assert (result["accepted"], result["rejected"]) == (3, [])


def test_rejected_file_is_listed_with_its_reason(tmp_path, tenant):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"organization-name": "x"}')
    result = run(str(bad), "--org", "alpha")
    (rejected,) = result["rejected"]
    assert rejected["source"] == str(bad)
    assert rejected["error"].startswith("$")


def test_mbox_messages_are_routed_by_recipient_token(tmp_path, tenant):
    box = mailbox.mbox(str(tmp_path / "reports.mbox"))
    for sample in (GOOGLE_1, GOOGLE_2):
        box.add(with_recipient(sample_bytes(sample), report_address(tenant)))
    box.close()
    result = run(str(tmp_path / "reports.mbox"))
    assert (result["accepted"], result["rejected"]) == (2, [])


def test_maildir_is_read(tmp_path, tenant):
    box = mailbox.Maildir(str(tmp_path / "Maildir"))
    box.add(with_recipient(sample_bytes("mox/example.eml"), report_address(tenant)))
    box.add(b"Subject: not a report\n\nhello\n")
    result = run(str(tmp_path / "Maildir"))
    assert result["accepted"] == 1
    (rejected,) = result["rejected"]
    assert "no organization for recipient" in rejected["error"]


def test_report_file_without_org_is_rejected_with_reason(tmp_path, db):
    (tmp_path / "r.json").write_bytes(report_json())
    result = run(str(tmp_path))
    assert result["rejected"][0]["error"].startswith("a report file carries no recipient")


def test_unknown_org_is_a_command_error(tmp_path, db):
    with pytest.raises(CommandError, match="no organization"):
        call_command("ingest_reports", str(tmp_path), "--org", "nope")


def test_missing_path_is_rejected(tmp_path, tenant):
    result = run(str(tmp_path / "missing.json"), "--org", "alpha")
    assert result["rejected"] == [
        {"source": str(tmp_path / "missing.json"), "error": "no such file or folder"}
    ]


def test_plain_output_has_a_summary_line(tmp_path, tenant):
    (tmp_path / "r.json").write_bytes(sample_bytes("parsedmarc/smtp_tls.json"))
    out, err = StringIO(), StringIO()
    call_command("ingest_reports", str(tmp_path), "--org", "alpha", stdout=out, stderr=err)
    assert out.getvalue().strip() == (
        "Ingested: 1 accepted, 0 duplicate(s), 0 quarantined, 0 rejected"
    )
    assert ReportPolicy.objects.count() == 1
    assert not QuarantinedPolicy.objects.exists()


def test_rerun_counts_duplicates(tmp_path, tenant):
    path = Path(tmp_path / "r.json")
    path.write_bytes(sample_bytes("parsedmarc/smtp_tls.json"))
    run(str(path), "--org", "alpha")
    assert run(str(path), "--org", "alpha")["duplicates"] == 1
