"""Celery entry points for scanning (thin: call one service, return a summary)."""

from __future__ import annotations

from celery import shared_task

from scans.services import scan_domains as scan_domains_service
from scans.services import scans_schedule_due


@shared_task(name="scans.tasks.scan_due_domains")
def scan_due_domains() -> str:
    return f"enqueued {scans_schedule_due()} due domain(s)"


@shared_task(name="scans.tasks.scan_domains")
def scan_domains(
    domain_ids: list[int], trigger: str = "schedule", queued_scans: dict | None = None
) -> str:
    summary = scan_domains_service(
        domain_ids=domain_ids, trigger=trigger, queued_scans=queued_scans
    )
    return str(summary)
