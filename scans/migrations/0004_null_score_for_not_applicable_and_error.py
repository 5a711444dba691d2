"""``not_applicable`` and ``error`` carry no score (null) in the scan history, its stored JSON
and on the domain: they used to read 100 and 0, which looked "perfect" and "worst"."""

from django.db import migrations

UNSCORED = ("not_applicable", "error")


def clear_scores(apps, schema_editor):
    Scan = apps.get_model("scans", "Scan")
    Domain = apps.get_model("accounts", "Domain")
    Domain.objects.filter(scan_verdict__in=UNSCORED).update(scan_score=None)
    scans = Scan.objects.filter(verdict__in=UNSCORED)
    batch = []
    for scan in scans.only("pk", "result").iterator(chunk_size=1000):
        if isinstance(scan.result, dict) and scan.result.get("score") is not None:
            scan.result["score"] = None
            batch.append(scan)
        if len(batch) == 1000:
            Scan.objects.bulk_update(batch, ["result"])
            batch = []
    Scan.objects.bulk_update(batch, ["result"])
    scans.update(score=None)


class Migration(migrations.Migration):
    dependencies = [
        ("scans", "0003_backfill_external_authorizations"),
        ("accounts", "0004_domain_name_order_idx"),
    ]

    operations = [migrations.RunPython(clear_scores, migrations.RunPython.noop)]
