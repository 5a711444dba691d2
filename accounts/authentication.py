"""DRF authentication: ``Authorization: Bearer <token>`` resolves the token and its tenant."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts.services import api_token_authenticate


class TokenPrincipal:
    """What ``request.user`` is for API calls: the token acting for its organization."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, token) -> None:
        self.token = token
        self.organization = token.organization

    def __str__(self) -> str:
        return f"token {self.token.prefix} of {self.organization.slug}"


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _, credentials = header.partition(" ")
        if keyword.lower() != self.keyword.lower() or not credentials.strip():
            raise exceptions.AuthenticationFailed(
                "use the header 'Authorization: Bearer <token>'", code="bad_authorization_header"
            )
        token = api_token_authenticate(credentials.strip())
        if token is None:
            raise exceptions.AuthenticationFailed(
                "the token is unknown, revoked or expired", code="invalid_token"
            )
        return TokenPrincipal(token), token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="tlsmon"'


class ApiTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents the bearer token in the OpenAPI schema."""

    target_class = ApiTokenAuthentication
    name = "BearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An organization's API token: `Authorization: Bearer tlsm_...`.",
        }
