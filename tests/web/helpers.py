"""Helpers of the page tests."""

from __future__ import annotations

from tests.factories import MembershipFactory


def login(client, organization, role):
    user = MembershipFactory(organization=organization, role=role).user
    client.force_login(user)
    return user
