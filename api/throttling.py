"""Per-token rate limits, counted in the shared cache (Redis in production).

The rates are read from settings on each request, not at import time, so operators and tests
can change them; DRF answers 429 with ``Retry-After`` when a limit is hit. Per-address limits
use ``api.client_address`` (DRF's own ``get_ident`` believes any ``X-Forwarded-For``).
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import ApiToken
from api.client_address import client_address


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_rate(self) -> str:
        return settings.TLSMON_API_THROTTLE_RATE

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return f"throttle:token:{request.auth.lookup}"


class AnonymousRateThrottle(SimpleRateThrottle):
    """Limits unauthenticated calls (public endpoints) per client address."""

    scope = "anon"

    def get_rate(self) -> str:
        return settings.TLSMON_ANON_THROTTLE_RATE

    def get_cache_key(self, request, view) -> str | None:
        if isinstance(request.auth, ApiToken):
            return None
        return f"throttle:anon:{self.get_ident(request)}"

    def get_ident(self, request) -> str:
        return client_address(request)
