"""Hooks the login lock-out (django-axes, configured in settings) calls for /login/ (allauth)
and /admin/login/: how an attempted account is named, and the page a locked-out client sees."""

from __future__ import annotations

import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# Where the email arrives: allauth posts ``login`` and authenticates with ``email``; the admin
# posts and authenticates with ``username``.
_FIELDS = (settings.AXES_USERNAME_FORM_FIELD, "email", "username")


def attempted_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The account an attempt was for, as stored (trimmed, lower case), so ``Alice@X`` and
    ``alice@x`` count against one account whichever login form was used."""
    for source in (credentials or {}, request.POST):
        for field in _FIELDS:
            username = source.get(field)
            if isinstance(username, str) and username.strip():
                return username.strip().lower()
    return None


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """429 with the wait in words and in ``Retry-After``; the same page for a locked account
    and a locked address, so it does not tell which accounts exist."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(
        request,
        "registration/locked_out.html",
        {"minutes": math.ceil(seconds / 60), "limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
