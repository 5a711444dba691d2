"""Fill the derived figures and the domains' 7/30-day totals from the existing roll-ups."""

from django.db import migrations


def rebuild(apps, schema_editor):
    # Plain SQL over the tables of 0002; the same code as ``manage.py refresh_report_figures``.
    from reports.figures import figures_rebuild_all

    figures_rebuild_all()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_report_figures"),
        ("accounts", "0003_domain_report_windows"),
    ]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
