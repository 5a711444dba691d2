"""OpenAPI examples of the portfolio endpoints (what a script author sees in /api/v1/docs/)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample

COVERAGE_ROW = OpenApiExample(
    "a domain with a broken record and some failures",
    response_only=True,
    media_type="application/json",
    value={
        "id": 7,
        "name": "acme.example",
        "unicode_name": "acme.example",
        "organization": "acme-ltd",
        "tags": ["eu"],
        "is_active": True,
        "verdict": "warn",
        "mta_sts": "testing",
        "score": 83,
        "gaps": ["broken_record", "mta_sts_testing"],
        "scanned_at": "2026-11-23T06:10:02Z",
        "last_report_at": "2026-11-23T04:31:40Z",
        "report_window_end": "2026-11-22",
        "sessions_7d": 4880,
        "failed_7d": 65,
        "failure_rate_7d": 0.0133,
        "sessions_30d": 9792,
        "failed_30d": 122,
        "failure_rate_30d": 0.0125,
    },
)

_POINT = {"successful": 2934, "failed": 31, "sessions": 2965, "failure_rate": 0.0105}
TREND = OpenApiExample(
    "last 2 days, by result type",
    response_only=True,
    media_type="application/json",
    value={
        "start": "2026-11-21",
        "end": "2026-11-22",
        "interval": "day",
        "group_by": "result_type",
        "total": {"successful": 5868, "failed": 62, "sessions": 5930, "failure_rate": 0.0105},
        "points": [{"period": "2026-11-21", **_POINT}, {"period": "2026-11-22", **_POINT}],
        "groups": [
            {
                "key": "certificate-expired",
                "label": "certificate-expired",
                "total": {"successful": None, "failed": 40, "sessions": None, "failure_rate": None},
                "points": [
                    {
                        "period": d,
                        "successful": None,
                        "failed": 20,
                        "sessions": None,
                        "failure_rate": None,
                    }
                    for d in ("2026-11-21", "2026-11-22")
                ],
            }
        ],
    },
)

AUTHORIZATION_ROW = OpenApiExample(
    "a third-party destination without the record",
    response_only=True,
    media_type="application/json",
    value={
        "id": 3,
        "domain_id": 7,
        "domain": "acme.example",
        "organization": "acme-ltd",
        "uri": "mailto:tlsrpt@reports.vendor.example",
        "rua_host": "reports.vendor.example",
        "is_tlsmon": False,
        "status": "missing",
        "record_name": "acme.example._report._tls.reports.vendor.example",
        "checked_at": "2026-11-23T06:10:02Z",
        "action": "Ask the operator of reports.vendor.example to publish "
        'acme.example._report._tls.reports.vendor.example. IN TXT "v=TLSRPTv1".',
    },
)

AUTHORIZATION_SUMMARY = OpenApiExample(
    "one destination host",
    response_only=True,
    media_type="application/json",
    value={
        "note": "The <domain>._report._tls.<rua-host> TXT record is a convention ...",
        "to_publish": 1,
        "to_publish_by_tlsmon": 0,
        "hosts": [
            {
                "rua_host": "reports.vendor.example",
                "is_tlsmon": False,
                "domains": 2,
                "statuses": {
                    "authorized": 1,
                    "wildcard_authorized": 0,
                    "missing": 1,
                    "lookup_error": 0,
                    "not_needed": 0,
                },
            }
        ],
    },
)
