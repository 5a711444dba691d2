"""Fill ExternalAuthorization from each domain's latest readable scan."""

from django.db import migrations


def backfill(apps, schema_editor):
    Scan = apps.get_model("scans", "Scan")
    ExternalAuthorization = apps.get_model("scans", "ExternalAuthorization")
    latest = (
        Scan.objects.filter(status="done")
        .exclude(verdict="error")
        .order_by("domain_id", "-finished_at", "-id")
    )
    seen, rows = set(), []
    for scan in latest.iterator(chunk_size=500):
        if scan.domain_id in seen:
            continue
        seen.add(scan.domain_id)
        by_uri = {r["uri"]: r for r in scan.result.get("external_authorizations", [])}
        rows.extend(
            ExternalAuthorization(
                domain_id=scan.domain_id,
                scan_id=scan.pk,
                uri=row["uri"][:500],
                rua_host=row["rua_host"][:253],
                record_name=row["record_name"][:600],
                status=row["status"],
                is_tlsmon=row.get("is_tlsmon", False),
                checked_at=scan.finished_at or scan.requested_at,
            )
            for row in by_uri.values()
        )
    ExternalAuthorization.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("scans", "0002_externalauthorization")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
