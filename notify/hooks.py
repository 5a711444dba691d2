"""Alert evaluation hooked onto scanning and report intake (connected in ``notify.apps``).

The receivers run in the worker that stored the scans or reports, right after its commit:
one bulk evaluation per chunk or batch (a constant number of queries), then critical alerts
it opened are sent at once; the rest wait for the 15-minute ``send_alerts`` run.
"""

from __future__ import annotations

from notify.alerts import alerts_after_reports, alerts_after_scans
from notify.dispatch import alerts_dispatch


def on_scans_stored(sender, *, stored, **kwargs) -> None:
    run = alerts_after_scans(stored=stored)
    if run.critical:
        alerts_dispatch(critical_only=True)


def on_reports_stored(sender, *, organization_id, keys, failing=None, **kwargs) -> None:
    run = alerts_after_reports(organization_id=organization_id, keys=keys, failing=failing)
    if run.critical:
        alerts_dispatch(critical_only=True)
