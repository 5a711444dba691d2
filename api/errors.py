"""One JSON shape for every API error.

``{"status": 400, "code": "invalid", "detail": "name: ...", "fields": {"name": ["..."]}}``;
``fields`` appears only for validation errors, ``retry_after`` only on 429.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions
from rest_framework.views import exception_handler


def _as_drf(exc: Exception) -> Exception:
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return exceptions.ValidationError(detail=detail)
    # As DRF's own handler does, so these get its codes (not_found, permission_denied) here too.
    # Http404 comes from get_object() and from an unknown ?format=, often with no message.
    if isinstance(exc, Http404):
        return exceptions.NotFound(*exc.args)
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(*exc.args)
    return exc


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """Nested DRF error details -> ``{"names.3": ["..."]}``."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(detail, list) and detail and all(isinstance(d, str) for d in detail):
        return {prefix or "non_field_errors": [str(d) for d in detail]}
    if isinstance(detail, list):
        out = {}
        for index, value in enumerate(detail):
            if value:
                out.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
        return out
    return {prefix or "non_field_errors": [str(detail)]}


def error_body(status: int, code: str, detail: str, **extra) -> dict:
    return {"status": status, "code": code, "detail": detail, **extra}


def api_exception_handler(exc, context):
    exc = _as_drf(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        summary = "; ".join(
            f"{name}: {messages[0]}" if name != "non_field_errors" else messages[0]
            for name, messages in fields.items()
        )
        response.data = error_body(response.status_code, "invalid", summary, fields=fields)
        return response
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    code = codes if isinstance(codes, str) else "error"
    body = error_body(response.status_code, code, str(getattr(exc, "detail", exc)))
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        body["retry_after"] = int(exc.wait) + (exc.wait % 1 > 0)
    response.data = body
    return response


def json_not_found(request, exception=None):
    """404 handler: JSON under /api/ and /tlsrpt/, Django's page elsewhere."""
    from django.views.defaults import page_not_found

    if request.path.startswith(("/api/", "/tlsrpt/")):
        return JsonResponse(
            error_body(404, "not_found", f"no endpoint at {request.path}"), status=404
        )
    return page_not_found(request, exception)


def json_server_error(request):
    from django.views.defaults import server_error

    if request.path.startswith(("/api/", "/tlsrpt/")):
        return JsonResponse(
            error_body(500, "server_error", "internal error; it has been logged"), status=500
        )
    return server_error(request)
