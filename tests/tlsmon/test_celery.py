"""Celery runs our tasks through the real Redis broker, with the documented defaults."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import api_token_create, api_token_revoke
from accounts.tasks import token_cleanup
from tests.conftest import _forget_result_backend
from tlsmon.celery import app


def test_tasks_acknowledge_late_and_serialize_as_json():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.task_serializer == "json"
    assert app.conf.worker_prefetch_multiplier == 1
    assert token_cleanup.max_retries == 5
    assert ConnectionError in token_cleanup.autoretry_for


def test_the_beat_schedule_names_registered_tasks():
    app.loader.import_default_modules()
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks
        assert entry["options"]["expires"] > 0


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_a_task_sent_through_redis_runs_in_a_worker(org, redis_url, settings):
    """GIVEN a long-revoked token WHEN the cleanup task goes through the Redis broker to a
    real worker THEN the worker deletes it and returns its summary."""
    token, _ = api_token_create(organization=org, name="dead")
    api_token_revoke(token=token, now=timezone.now() - timedelta(days=200))
    app.conf.update(broker_url=redis_url, result_backend=redis_url, task_always_eager=False)
    _forget_result_backend()  # another test may have used the app without a backend
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            result = token_cleanup.delay(90)
            assert result.get(timeout=20) == (
                "deleted 1 token(s) revoked or expired over 90 days ago"
            )
    finally:
        app.conf.update(
            broker_url=settings.CELERY_BROKER_URL,
            result_backend=None,
            task_always_eager=settings.CELERY_TASK_ALWAYS_EAGER,
        )
        _forget_result_backend()
    assert not ApiToken.objects.filter(pk=token.pk).exists()
