"""Celery runs our tasks through the real Redis broker, with the documented defaults."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import api_token_create, api_token_revoke
from accounts.tasks import token_cleanup
from tests.conftest import _forget_result_backend
from tests.services import RedisServer, use_celery_broker
from tlsmon.celery import RetryingScheduler, app


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


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A Redis of this test's own, so it can be stopped (never the shared one)."""
    server = RedisServer().start()
    yield server
    server.stop()


def test_beat_sends_a_run_it_missed_while_redis_was_down_once_redis_is_back(
    own_redis, tmp_path, settings
):
    """GIVEN beat with a job due every 30 s, WHEN Redis is down at the moment the job is due
    and back 2 s later, THEN the run goes out within seconds, not a whole period later."""
    use_celery_broker(own_redis.url)
    try:
        beat = RetryingScheduler(app=app, schedule_filename=str(tmp_path / "beat"))
        beat.retry_every = 0.5
        beat.schedule.clear()
        probe = {"task": "reports.tasks.sweep_unprocessed", "schedule": 30}
        beat.update_from_dict({"probe": probe})
        beat.schedule["probe"].last_run_at = timezone.now() - timedelta(minutes=1)  # due now
        assert beat.producer  # connected while Redis is up
        own_redis.stop()
        beat.tick()
        assert beat.owed == {"probe"}
        own_redis.start()
        back = time.monotonic()
        queue = redis.Redis.from_url(own_redis.url)
        while not queue.llen("celery") and time.monotonic() - back < 20:
            time.sleep(min(beat.tick(), 0.2))
        assert queue.llen("celery") == 1
        assert time.monotonic() - back < 10  # the period is 30 s
        assert beat.owed == set()
    finally:
        use_celery_broker(settings.CELERY_BROKER_URL)
