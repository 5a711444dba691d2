"""REST API of the reports app; `tlsmon.api` calls `register` to add its viewsets."""

from __future__ import annotations


def register(router) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
