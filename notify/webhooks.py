"""Webhooks: create one (secret shown once), post a delivery through the one outbound path
(``scans.outbound``: private and loopback addresses refused), retry with exponential back-off
for ``TLSMON_WEBHOOK_RETRY_HOURS``, and switch a webhook off after
``TLSMON_WEBHOOK_DISABLE_AFTER`` failures in a row, telling the organization's admins."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Membership, Organization, Role
from notify.models import Webhook, WebhookDelivery, WebhookDeliveryStatus
from notify.payloads import EVENT_TEST
from notify.signing import HEADER, new_secret, signature_header
from scans import outbound
from scans.addresses import is_public_address
from scans.dns import get_resolver

log = logging.getLogger(__name__)

TIMEOUT = 10.0  # seconds for one attempt, connection to last byte
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
USER_AGENT = "TLSMon-Webhook/1"


def webhook_url_error(url: str) -> str:
    """Why ``url`` cannot be a webhook, or "": http(s) with a host, and not an IP address in
    a private, loopback or other special-purpose range (refused again at every send, after
    DNS, by ``scans.outbound``) unless the test setting allows it."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return "Enter an http:// or https:// URL with a host name."
    host = parts.hostname
    if host == "localhost" or host.endswith(".localhost"):
        host = "127.0.0.1"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return ""
    if not settings.TLSMON_FETCH_ALLOW_PRIVATE and not is_public_address(host):
        return f"{parts.hostname} is a private, loopback or reserved address: refused."
    return ""


def webhook_create(
    *, organization: Organization, name: str, url: str, format: str, created_by=None
) -> Webhook:
    """A new webhook with a fresh signing secret (the API shows it once, in this response)."""
    return Webhook.objects.create(
        organization=organization,
        name=name,
        url=url,
        format=format,
        secret=new_secret(),
        created_by=created_by,
    )


def webhook_update(*, webhook: Webhook, **changes) -> Webhook:
    """Change a webhook; enabling it again clears its failure count and disabled state."""
    for name, value in changes.items():
        setattr(webhook, name, value)
    if changes.get("enabled"):
        webhook.consecutive_failures, webhook.disabled_at, webhook.disabled_reason = 0, None, ""
    webhook.save()
    return webhook


def deliveries_create(rows: list[tuple[Webhook, str, dict, int | None]]) -> list[int]:
    """Queue (webhook, event, payload, alert id) deliveries; sent once the transaction commits
    (and by the every-minute retry job if the broker is away)."""
    now = timezone.now()
    created = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            webhook=webhook, event=event, payload=payload, alert_id=alert_id, next_attempt_at=now
        )
        for webhook, event, payload, alert_id in rows
    )
    ids = [d.pk for d in created]
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
    return ids


def _enqueue(ids: list[int]) -> None:
    from notify.alert_tasks import deliver_webhooks

    try:
        deliver_webhooks.delay(ids)
    except Exception as exc:  # broker down: the retry job sends them (they are due now)
        log.warning("could not queue %d webhook deliveries (%s)", len(ids), exc)


def webhook_send_test(*, webhook: Webhook) -> WebhookDelivery:
    """Post a ``webhook.test`` event now, whether or not the webhook is enabled."""
    payload = {"event": EVENT_TEST, "webhook": webhook.name, "sent_at": timezone.now().isoformat()}
    if webhook.format == "slack":
        payload = {"text": "*TLSMon test message*: this webhook works."}
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, event=EVENT_TEST, payload=payload, next_attempt_at=timezone.now()
    )
    return webhook_deliver(delivery=delivery)


def _post(url: str, body: bytes, headers: list[tuple[str, str]]) -> outbound.Response:
    parts = urlsplit(url)
    tls = parts.scheme == "https"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    async def send() -> outbound.Response:
        async with asyncio.timeout(TIMEOUT):
            target = await outbound.resolve(
                parts.hostname or "",
                get_resolver(),
                allow_private=settings.TLSMON_FETCH_ALLOW_PRIVATE,
            )
            return await outbound.request(
                target=target,
                port=parts.port or (443 if tls else 80),
                method="POST",
                path=path,
                ssl_context=outbound.tls_context() if tls else None,
                headers=headers,
                body=body,
                max_bytes=4096,
            )

    return asyncio.run(send())


def webhook_deliver(*, delivery: WebhookDelivery, now: datetime | None = None) -> WebhookDelivery:
    """One attempt: sign the body, post it, record the answer, schedule the next attempt or
    give up, and count the webhook's failures in a row."""
    webhook = delivery.webhook
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = int(time.time())
    headers = [
        ("Content-Type", "application/json"),
        ("User-Agent", USER_AGENT),
        ("TLSMon-Event", delivery.event),
        ("TLSMon-Delivery", str(delivery.pk)),
        (HEADER, signature_header(webhook.secret, timestamp, body)),
    ]
    error, status = "", None
    try:
        response = _post(webhook.url, body, headers)
        status = response.status
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except outbound.OutboundError as exc:
        error = str(exc)
    except TimeoutError:
        error = f"timeout after {TIMEOUT:g} s"
    except (OSError, ValueError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    _record(delivery, now or timezone.now(), status, error)
    return delivery


def _record(delivery: WebhookDelivery, now: datetime, status: int | None, error: str) -> None:
    delivery.attempts += 1
    delivery.last_attempt_at, delivery.response_status, delivery.last_error = now, status, error
    if not error:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
            WebhookDeliveryStatus.SUCCEEDED,
            now,
            None,
        )
    else:
        delay = min(FIRST_RETRY * 2 ** (delivery.attempts - 1), LONGEST_RETRY)
        deadline = delivery.created_at + timedelta(hours=settings.TLSMON_WEBHOOK_RETRY_HOURS)
        if now + delay > deadline:
            delivery.status, delivery.next_attempt_at = WebhookDeliveryStatus.GAVE_UP, None
        else:
            delivery.status, delivery.next_attempt_at = WebhookDeliveryStatus.FAILED, now + delay
    delivery.save()
    _count(delivery.webhook, failed=bool(error), now=now, error=error)


def _count(webhook: Webhook, *, failed: bool, now: datetime, error: str) -> None:
    """Failures in a row; the one that reaches the limit disables the webhook (once)."""
    rows = Webhook.objects.filter(pk=webhook.pk)
    if not failed:
        rows.update(consecutive_failures=0)
        return
    rows.update(consecutive_failures=F("consecutive_failures") + 1)
    limit = settings.TLSMON_WEBHOOK_DISABLE_AFTER
    reason = f"{limit} failed deliveries in a row; last: {error}"[:255]
    disabled = rows.filter(enabled=True, consecutive_failures__gte=limit).update(
        enabled=False, disabled_at=now, disabled_reason=reason
    )
    webhook.refresh_from_db()
    if disabled:
        WebhookDelivery.objects.filter(
            webhook=webhook,
            status__in=[WebhookDeliveryStatus.PENDING, WebhookDeliveryStatus.FAILED],
        ).update(status=WebhookDeliveryStatus.GAVE_UP, next_attempt_at=None)
        _tell_admins(webhook)


def _tell_admins(webhook: Webhook) -> None:
    admins = Membership.objects.filter(
        organization_id=webhook.organization_id, role__in=[Role.OWNER, Role.ADMIN]
    ).values_list("user__email", flat=True)
    send_mail(
        subject=f"[TLSMon] Webhook '{webhook.name}' was switched off",
        message=(
            f"The webhook '{webhook.name}' ({webhook.url}) of {webhook.organization} failed "
            f"{webhook.consecutive_failures} times in a row and no longer receives alerts.\n"
            f"Last error: {webhook.disabled_reason}\n\n"
            "Fix the receiver, then enable the webhook again (API: PATCH enabled=true)."
        ),
        from_email=None,
        recipient_list=sorted(set(admins)),
        fail_silently=True,
    )


def webhook_deliveries_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Attempt every delivery that is due (new ones the broker never carried, retries) of
    enabled webhooks. Deliberately cross-tenant (a beat job); returns how many were tried."""
    now = now or timezone.now()
    due = (
        WebhookDelivery.objects.filter(
            Q(status=WebhookDeliveryStatus.PENDING) | Q(status=WebhookDeliveryStatus.FAILED),
            next_attempt_at__lte=now,
            webhook__enabled=True,
        )
        .select_related("webhook", "webhook__organization")
        .order_by("next_attempt_at", "id")[:limit]
    )
    tried = 0
    for delivery in due:
        if _claim(delivery, now):
            webhook_deliver(delivery=delivery, now=now)
            tried += 1
    return tried


def _claim(delivery: WebhookDelivery, now: datetime) -> bool:
    """Move the due time past this attempt; whoever moves it sends, so the queued task and the
    retry job never post the same delivery twice."""
    claimed = WebhookDelivery.objects.filter(
        pk=delivery.pk, status=delivery.status, next_attempt_at=delivery.next_attempt_at
    ).update(next_attempt_at=now + timedelta(seconds=3 * TIMEOUT))
    return bool(claimed)


def webhook_deliveries_send(*, ids: list[int]) -> int:
    """Attempt these new deliveries (the task queued when they were created)."""
    deliveries = WebhookDelivery.objects.filter(
        pk__in=ids, status=WebhookDeliveryStatus.PENDING, webhook__enabled=True
    ).select_related("webhook", "webhook__organization")
    count, now = 0, timezone.now()
    for delivery in deliveries:
        if _claim(delivery, now):
            webhook_deliver(delivery=delivery, now=now)
            count += 1
    return count
