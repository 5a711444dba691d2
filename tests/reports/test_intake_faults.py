"""``POST /tlsrpt/<token>/`` under real faults: Redis unreachable, database connection killed.

The faults are real: the broker URL points at a loopback port where nothing listens, and the
request's own PostgreSQL backend is terminated (``pg_terminate_backend``) either before the
request or by a trigger at the moment a given table is written. Nothing is mocked.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from django.db import connection

from reports.models import Report, Submission, SubmissionStatus
from tests.reports.conftest import sample_bytes
from tests.scans.servers import free_port
from tests.services import use_celery_broker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]

REPORT = "mail-tls-rpt/report.json"


@pytest.fixture
def broker_down(settings) -> Iterator[None]:
    use_celery_broker(f"redis://127.0.0.1:{free_port()}/0")
    yield
    use_celery_broker(settings.CELERY_BROKER_URL)


def _admin_connection() -> psycopg.Connection:
    """A second connection to the test database, outside the request's session."""
    params = connection.get_connection_params()
    return psycopg.connect(
        **{k: v for k, v in params.items() if k in {"host", "port", "user", "dbname"}},
        autocommit=True,
    )


@pytest.fixture
def kill_request_on_insert() -> Iterator:
    """``kill_request_on_insert(Model)``: the backend that next writes that model's table is
    terminated at that moment, as a PostgreSQL crash or restart would do to it."""
    tables: list[str] = []
    with _admin_connection() as admin:

        def arm(model) -> None:
            table = model._meta.db_table
            admin.execute(
                "CREATE OR REPLACE FUNCTION tlsmon_test_kill() RETURNS trigger LANGUAGE plpgsql "
                "AS $$ BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$"
            )
            admin.execute(
                f'CREATE TRIGGER tlsmon_test_kill BEFORE INSERT ON "{table}" '
                "FOR EACH ROW EXECUTE FUNCTION tlsmon_test_kill()"
            )
            tables.append(table)

        yield arm
        for table in tables:
            admin.execute(f'DROP TRIGGER IF EXISTS tlsmon_test_kill ON "{table}"')
        admin.execute("DROP FUNCTION IF EXISTS tlsmon_test_kill()")
    connection.close()  # the terminated session: the next query opens a fresh one


@pytest.fixture
def tenant(org, own):
    own(org, "fastmaildmarc.com")
    return org


def post(client, org):
    return client.post(
        f"/tlsrpt/{org.report_token}/",
        data=sample_bytes(REPORT),
        content_type="application/tlsrpt+json",
    )


def test_redis_down_and_the_database_failing_mid_processing_answers_202(
    client, tenant, broker_down, kill_request_on_insert
):
    """GIVEN Redis unreachable and a database that drops the request's connection while the
    reports are stored WHEN a report is posted THEN the sender gets 202, the raw body is kept
    pending for the sweep, and no report row is half-stored."""
    kill_request_on_insert(Report)
    response = post(client, tenant)
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    connection.close()
    submission = Submission.objects.get(organization=tenant)
    assert submission.status == SubmissionStatus.PENDING
    assert not Report.objects.exists()


def test_a_killed_database_connection_answers_503_with_retry_after(client, tenant):
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    with _admin_connection() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    response = post(client, tenant)
    connection.close()
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert response.json()["code"] == "unavailable"
    assert not Submission.objects.exists()


def test_the_database_failing_while_the_body_is_stored_answers_503_and_stores_nothing(
    client, tenant, kill_request_on_insert
):
    kill_request_on_insert(Submission)
    response = post(client, tenant)
    connection.close()
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert not Submission.objects.exists()


def test_a_sender_retrying_after_503_gets_its_report_stored(client, tenant):
    connection.ensure_connection()
    with _admin_connection() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])
    assert post(client, tenant).status_code == 503
    connection.close()
    assert post(client, tenant).status_code == 201
    assert Report.objects.filter(organization=tenant).count() == 1


def test_redis_down_for_the_cache_and_the_broker_still_stores_the_report(
    client, tenant, settings, broker_down
):
    """The per-token rate-limit counter lives in the Redis cache: with that Redis gone too, the
    report is still stored and counted (unlimited) rather than answered with a 500."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    response = post(client, tenant)
    assert response.status_code == 201, response.content
    assert Report.objects.filter(organization=tenant).count() == 1
