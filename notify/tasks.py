"""Celery entry point for digests (thin: call one service, return a summary)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from notify.digests import digests_send_due


@shared_task(name="notify.tasks.send_due_digests")
def send_due_digests() -> str:
    return str(digests_send_due(now=timezone.now()))
