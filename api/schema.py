"""drf-spectacular post-processing: document the shared error shape on every operation."""

from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every 4xx/5xx answer of the API has this shape.",
    "properties": {
        "status": {"type": "integer", "example": 400},
        "code": {"type": "string", "example": "invalid"},
        "detail": {"type": "string", "example": "name: 'com' is a public suffix"},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Validation errors per field (400 only).",
        },
        "retry_after": {"type": "integer", "description": "Seconds to wait (429 only)."},
    },
    "required": ["status", "code", "detail"],
}

_DESCRIPTIONS = {
    "400": "Invalid input or filter; `fields` names each problem.",
    "401": "Missing, unknown, revoked or expired token.",
    "403": "The token is read-only, or the action is not allowed for this organization.",
    "404": (
        "No such object in the organizations this token reaches, no such `page` of a list, "
        "or no such `format`."
    ),
    "429": "Rate limit reached; retry after the `Retry-After` header's seconds.",
}


def _query_parameters(operation: dict) -> set[str]:
    return {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}


def _error_response(code: str) -> dict:
    response = {
        "description": _DESCRIPTIONS[code],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    if code == "429":
        response["headers"] = {
            "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}
        }
    return response


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            codes = ["400", "401", "429"]
            if method in {"post", "put", "patch", "delete"}:
                codes.append("403")
            # DRF answers 404 for a page past the last one and for an unknown ?format=.
            if "{" in path or {"page", "format"} & _query_parameters(operation):
                codes.append("404")
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(code, _error_response(code))
    return result
