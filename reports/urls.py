"""Public report intake: ``POST /tlsrpt/<token>/`` (RFC 8460 section 5.4)."""

from __future__ import annotations

urlpatterns: list = []
