"""On-demand scans with the task queue unreachable: the broker URL points at a loopback port
where nothing listens (a real connection refusal, nothing mocked).

The caller is told at once (API 503 + Retry-After, web page an error message), the scan row is
kept as failed ("not queued"), and the cooldown never hands that never-run scan out again.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings

from accounts.models import Role
from scans.models import Scan, ScanStatus
from scans.on_demand import SCAN_NOT_QUEUED
from tests.factories import DomainFactory
from tests.scans.servers import free_port
from tests.services import use_celery_broker
from tests.web.helpers import login

# Transactional: on_commit (where the task is sent) runs inside the request, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker_down() -> Iterator[None]:
    """A real broker that refuses connections; tasks go through it (not in-process) also in
    the SQLite run, whose quickstart settings would otherwise run them inline."""
    from tlsmon.celery import app

    app.conf.task_always_eager = False
    use_celery_broker(f"redis://127.0.0.1:{free_port()}/0")
    yield
    use_celery_broker(settings.CELERY_BROKER_URL)
    app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER


@pytest.fixture
def domain(org):
    return DomainFactory(organization=org)


def test_the_api_answers_503_with_retry_after_and_a_new_request_is_not_blocked(
    api_client, org, domain, broker_down
):
    client = api_client(org, write=True)
    response = client.post(f"/api/v1/domains/{domain.pk}/scan/")
    assert response.status_code == 503, response.content
    assert response["Retry-After"] == "30"
    body = response.json()
    assert (body["code"], body["retry_after"]) == ("scan_not_queued", 30)
    failed = Scan.objects.get(pk=body["scan"])
    assert (failed.status, failed.error, failed.finished_at) == (
        ScanStatus.FAILED,
        SCAN_NOT_QUEUED,
        None,
    )
    # Asked again (still down): a new attempt, not the never-run scan handed back as queued.
    again = client.post(f"/api/v1/domains/{domain.pk}/scan/").json()
    assert again["scan"] != failed.pk
    assert Scan.objects.filter(domain=domain, status=ScanStatus.QUEUED).count() == 0


def test_the_domain_page_says_the_scan_could_not_be_started(client, org, domain, broker_down):
    login(client, org, Role.MEMBER)
    response = client.post(f"/o/{org.slug}/domains/{domain.pk}/", follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "could not be started: the task queue is unreachable" in page
    assert "queued; reload" not in page
    assert not Scan.objects.filter(domain=domain, status=ScanStatus.QUEUED).exists()
