"""Celery entry points of alerting and webhooks (thin: call one service, return a summary).

Kept apart from ``notify/tasks.py`` (digests); ``notify.apps`` imports this module so the
worker registers these tasks.
"""

from __future__ import annotations

from celery import shared_task

from notify.alerts import alerts_for_silence
from notify.dispatch import alerts_dispatch
from notify.webhooks import webhook_deliveries_due, webhook_deliveries_send


@shared_task(name="notify.alert_tasks.check_silence")
def check_silence() -> str:
    """Hourly: reports stopped / no first report (sent by the next send_alerts run)."""
    return f"silence: {alerts_for_silence()}"


@shared_task(name="notify.alert_tasks.send_alerts")
def send_alerts() -> str:
    """Every 15 minutes: the non-critical alerts batched since the last run, grouped."""
    return str(alerts_dispatch())


@shared_task(name="notify.alert_tasks.retry_webhooks")
def retry_webhooks() -> str:
    """Every minute: deliveries that are due (retries, and new ones the broker never carried)."""
    return f"attempted {webhook_deliveries_due()} webhook delivery(ies)"


@shared_task(name="notify.alert_tasks.deliver_webhooks")
def deliver_webhooks(delivery_ids: list[int]) -> str:
    return f"attempted {webhook_deliveries_send(ids=delivery_ids)} webhook delivery(ies)"
