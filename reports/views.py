"""Public report intake: ``POST /tlsrpt/<token>/`` (RFC 8460 §5.4).

The token in the path is the tenant. The body is read with a cap (never through
``request.body``, whose limit is DATA_UPLOAD_MAX_MEMORY_SIZE), stored raw first, then
processed in the request so the sender learns at once whether the report was readable. If
processing fails for a reason that is not the report's (a database hiccup) the submission
is queued for the worker and the sender still gets a success (the report is safely stored).

Answers: 201 ``accepted`` (something new was stored, possibly only in quarantine, or another
copy of a stored report: ``conflicts`` > 0, see ``reports.provenance``), 200
``duplicate``, 400 ``invalid_report`` with the JSON path, 413 ``report_too_large`` for a body
over TLSMON_REPORT_MAX_COMPRESSED (not stored) and for a gzip bomb over
TLSMON_REPORT_MAX_DECOMPRESSED (stored as rejected, like any unreadable report), 415 for a
media type that is neither a TLS-RPT/JSON/gzip type nor gzip by its magic bytes, 429
``rate_limited`` with ``Retry-After`` past TLSMON_REPORT_RATE_PER_MINUTE POSTs per token.

Faults of ours never answer 500: a broker that cannot be reached only delays processing
(202, the report is stored and swept later); a database that cannot be reached answers 503
with ``Retry-After`` (RFC 8460 section 5.5: senders retry), and nothing half-stored is left:
the raw body is stored in one transaction and the reports in another.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from api.errors import error_body
from reports.intake import submission_receive
from reports.intake_limits import rate_limit_wait
from reports.models import Channel, Submission
from reports.payloads import GZIP_MAGIC
from reports.routing import organization_for_token
from reports.services import submission_enqueue, submission_process
from reports.summary import IngestSummary

logger = logging.getLogger(__name__)

MEDIA_TYPES = {
    "application/tlsrpt+gzip",
    "application/tlsrpt+json",
    "application/json",
    "application/gzip",
    "application/x-gzip",
    "application/octet-stream",
    "",  # no Content-Type at all: decided by the bytes
}


def _error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse(error_body(status, code, detail), status=status)


# Seconds a sender is asked to wait after a database outage (a restart takes about this long).
RETRY_AFTER_SECONDS = 60


def _database_outage_is_503(view: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
    """Answer 503 + Retry-After when the database cannot be reached at all; a failure after
    the raw body was stored is handled inside the view (stored, queued, 202)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
        try:
            return view(request, *args, **kwargs)
        except (OperationalError, InterfaceError) as exc:
            logger.warning("report intake: database unavailable (%s); answered 503", exc)
            response = _error(503, "unavailable", "the report store is unavailable; retry later")
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response

    return wrapper


def _read_body(request: HttpRequest, limit: int) -> bytes | None:
    """The body, or None when it is over ``limit`` bytes (checked before and while reading)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    body = request.read(limit + 1)
    return None if len(body) > limit else body


def _answer(summary: IngestSummary, submission: Submission) -> JsonResponse:
    if summary.rejected:
        rejection = summary.rejected[0]
        if rejection.too_large:
            return _error(413, "report_too_large", rejection.error)
        return _error(400, "invalid_report", rejection.error)
    # Whoever actually stored the report answers 201, even when a concurrent delivery of the
    # same bytes created the submission row first; everyone else gets 200 "duplicate".
    duplicate = not (summary.accepted or summary.quarantined or summary.conflicts)
    body = {
        "status": "duplicate" if duplicate else "accepted",
        "report_id": summary.report_ids[0] if summary.report_ids else None,
        "quarantined": summary.quarantined,
        "submission": submission.pk,
    }
    if summary.conflicts:  # another copy of a stored report: kept, and counted if it ranks
        body["conflicts"] = summary.conflicts
    return JsonResponse(body, status=200 if duplicate else 201)


@csrf_exempt
@_database_outage_is_503
def report_intake(request: HttpRequest, token: str) -> JsonResponse:
    organization = organization_for_token(token)
    if organization is None:
        return _error(404, "not_found", "no report address with this token")
    if request.method != "POST":
        response = _error(405, "method_not_allowed", "reports are delivered with POST")
        response["Allow"] = "POST"
        return response
    wait = rate_limit_wait(token)
    if wait:
        response = _error(
            429, "rate_limited", f"too many reports for this address; retry in {wait} s"
        )
        response["Retry-After"] = str(wait)
        return response
    limit = settings.TLSMON_REPORT_MAX_COMPRESSED
    body = _read_body(request, limit)
    if body is None:
        return _error(413, "report_too_large", f"the body is over {limit} bytes")
    content_type = (request.content_type or "").lower()
    if content_type not in MEDIA_TYPES and not body.startswith(GZIP_MAGIC):
        return _error(415, "unsupported_media_type", f"{content_type} is not a TLS-RPT type")
    submission, _created = submission_receive(
        organization=organization,
        payload=body,
        channel=Channel.HTTPS,
        source=request.META.get("REMOTE_ADDR", ""),
        content_type=content_type,
        metadata={"user_agent": request.META.get("HTTP_USER_AGENT", "")[:300]},
    )
    try:
        summary = submission_process(submission=submission)
    except Exception:  # not the report's fault: it is stored; the worker retries it
        logger.exception("processing submission %s failed; queued for retry", submission.pk)
        submission_enqueue(submission=submission)
        return JsonResponse({"status": "queued", "submission": submission.pk}, status=202)
    return _answer(summary, submission)
