"""Per-token rate limits, counted in the shared cache (Redis in production).

The rates are read from settings on each request, not at import time, so operators and tests
can change them; DRF answers 429 with ``Retry-After`` when a limit is hit. Per-address limits
use ``api.client_address`` (DRF's own ``get_ident`` believes any ``X-Forwarded-For``).

A counter that cannot be read (Redis down, or silent past ``TLSMON_REDIS_CACHE_TIMEOUT``) lets
the call through, logged: an outage of the cache must not become an outage of the API.
"""

from __future__ import annotations

import logging

import redis
from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import ApiToken
from api.client_address import client_address

logger = logging.getLogger(__name__)


class FailOpenThrottle(SimpleRateThrottle):
    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except redis.RedisError as exc:
            logger.warning("API throttle: rate counter unavailable (%s); not limiting", exc)
            return True


class TokenRateThrottle(FailOpenThrottle):
    scope = "token"

    def get_rate(self) -> str:
        return settings.TLSMON_API_THROTTLE_RATE

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return f"throttle:token:{request.auth.lookup}"


class AnonymousRateThrottle(FailOpenThrottle):
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
