"""API permission: any valid token may read; only read-write tokens may change anything."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.models import ApiToken


class TokenScopePermission(BasePermission):
    """A view whose POSTs change nothing (pure calculators) sets ``changes_nothing = True``."""

    message = "this API token is read-only; create a read-write token to make changes"
    code = "read_only_token"

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return False
        if request.method in SAFE_METHODS or getattr(view, "changes_nothing", False):
            return True
        return token.can_write
