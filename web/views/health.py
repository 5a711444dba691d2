"""Liveness for load balancers (exempt from the HTTPS redirect)."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse


def healthz(request) -> HttpResponse:
    return JsonResponse({"status": "ok"})
