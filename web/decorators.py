"""Web UI access: resolve the organization in the URL once per request, check the role once."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from accounts.models import Role
from accounts.selectors import web_access_for


def org_page(*, view_role: str = Role.VIEWER, post_role: str = Role.MEMBER) -> Callable:
    """Sets ``request.access`` (organization, role, scope) from the ``slug`` URL argument.

    A user who does not reach the organization gets 404; one whose role is too low for the
    method gets 403.
    """

    def decorate(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapper(request, slug: str, *args, **kwargs):
            access = web_access_for(user=request.user, slug=slug)
            needed = post_role if request.method == "POST" else view_role
            if not access.can(needed):
                raise PermissionDenied(f"this needs the {needed} role or higher")
            request.access = access
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
