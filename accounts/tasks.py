"""Celery entry points for accounts (thin: call one service, return a summary)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from accounts.services import api_token_cleanup


@shared_task(name="accounts.tasks.token_cleanup")
def token_cleanup(keep_days: int = 90) -> str:
    deleted = api_token_cleanup(now=timezone.now(), keep_days=keep_days)
    return f"deleted {deleted} token(s) revoked or expired over {keep_days} days ago"
