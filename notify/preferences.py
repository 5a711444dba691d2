"""Each membership's notification preferences, and the signed unsubscribe links that change
them without a login (RFC 8058 one-click: a mail client POSTs to the link)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Membership
from notify.digest_schedule import OFF, DigestWish, default_frequency
from notify.models import NotificationPreference

_UNSUBSCRIBE_SALT = "notify.unsubscribe"
UNSUBSCRIBE_KINDS = ("digest", "alerts")


def preference_defaults(role: str) -> dict:
    return {"digest": default_frequency(role)}


def preference_for(membership: Membership) -> NotificationPreference:
    """The membership's preferences, created on first use with its role's defaults
    (weekly digest for owners and admins, none for members and viewers)."""
    try:
        return membership.notification_preference
    except NotificationPreference.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            preference = NotificationPreference.objects.create(
                membership=membership, **preference_defaults(membership.role)
            )
    except IntegrityError:  # created meanwhile by another request
        preference = NotificationPreference.objects.get(membership=membership)
    membership.notification_preference = preference
    return preference


def preference_update(*, preference: NotificationPreference, **fields) -> NotificationPreference:
    """Change the given fields (validated by the caller's form or serializer)."""
    for name, value in fields.items():
        setattr(preference, name, value)
    preference.full_clean()
    preference.save()
    return preference


def digest_wish(membership: Membership) -> DigestWish:
    """What the membership asked for, without creating a row for those who never chose."""
    try:
        preference = membership.notification_preference
    except NotificationPreference.DoesNotExist:
        preference = NotificationPreference(**preference_defaults(membership.role))
    return DigestWish(
        membership.pk, preference.digest, preference.digest_weekday, preference.digest_hour
    )


def unsubscribe_token(membership_id: int, kind: str = "digest") -> str:
    """A signed token naming the membership and what to stop; it does not expire, so a link
    in an old message still works (it can only switch a notification off)."""
    return signing.dumps({"m": membership_id, "k": kind}, salt=_UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(membership_id: int, kind: str = "digest") -> str:
    path = reverse("unsubscribe", kwargs={"token": unsubscribe_token(membership_id, kind)})
    return f"{settings.TLSMON_BASE_URL}{path}"


def unsubscribe_target(token: str) -> tuple[Membership, str] | None:
    """The membership and kind a token names; None for a forged, mangled or stale token."""
    try:
        data = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
        membership_id, kind = int(data["m"]), str(data["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    membership = (
        Membership.objects.select_related("organization", "user").filter(pk=membership_id).first()
    )
    if membership is None or kind not in UNSUBSCRIBE_KINDS:
        return None
    return membership, kind


def unsubscribe(*, membership: Membership, kind: str) -> NotificationPreference:
    """Switch off the digest (or alert emails) of one membership."""
    preference = preference_for(membership)
    if kind == "alerts":
        return preference_update(preference=preference, alert_email=False)
    return preference_update(preference=preference, digest=OFF)


def membership_of(*, user, organization) -> Membership | None:
    """The user's own membership in ``organization`` (an MSP admin viewing a client has none:
    their digest of that client is part of the MSP's)."""
    return (
        Membership.objects.select_related("organization", "notification_preference")
        .filter(user=user, organization=organization)
        .first()
    )
