"""Send the alerts that are due: to each recipient (a member who opted in, a webhook) one
notification per shared cause (``notify.grouping``), then mark the alerts notified.

Critical alerts go out as soon as an evaluation opens them (``critical_only``); the others wait
for the 15-minute beat run, so alerts from many ingest batches and scan chunks of the same
cause (twenty client domains behind one failing MX) arrive as one notification. An open alert
is not sent again within ``TLSMON_ALERT_MUTE_DAYS`` unless it got worse; an acknowledged one
not at all unless it got worse.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Membership, Role
from core.vocabulary import Severity
from notify.alert_rules import SEVERITY_RANK, should_notify
from notify.grouping import AlertItem, Notification, group_alerts
from notify.models import Alert, NotificationPreference, Webhook
from notify.payloads import EVENT_ALERT, email_text, json_payload, slack_payload
from notify.preferences import preference_defaults, unsubscribe_url
from notify.webhooks import deliveries_create

log = logging.getLogger(__name__)

MSP_ROLES = {Role.OWNER, Role.ADMIN}  # the MSP roles that reach client organizations


@dataclass
class DispatchSummary:
    alerts: int = 0
    emails: int = 0
    webhook_deliveries: int = 0

    def __str__(self) -> str:
        return (
            f"{self.alerts} alert(s) sent: {self.emails} email(s), "
            f"{self.webhook_deliveries} webhook delivery(ies)"
        )


def _due_alerts(now: datetime, critical_only: bool, limit: int) -> list[Alert]:
    mute = timedelta(days=settings.TLSMON_ALERT_MUTE_DAYS)
    candidates = (
        Alert.objects.filter(resolved_at=None)
        .filter(
            Q(notified_at=None)
            | Q(acknowledged_at=None, notified_at__lte=now - mute)
            | ~Q(severity=F("notified_severity"))
        )
        .select_related("domain", "organization")
        .order_by("first_seen", "id")
    )
    if critical_only:
        candidates = candidates.filter(severity=Severity.CRITICAL)
    due = []
    for alert in candidates[:limit]:
        worse = (
            alert.notified_severity
            and SEVERITY_RANK[Severity(alert.severity)]
            > (SEVERITY_RANK[Severity(alert.notified_severity)])
        )
        if alert.acknowledged_at is not None and not worse:
            continue
        if should_notify(
            severity=alert.severity,
            notified_at=alert.notified_at,
            notified_severity=alert.notified_severity,
            now=now,
            mute=mute,
        ):
            due.append(alert)
    return due


def _item(alert: Alert) -> AlertItem:
    return AlertItem(
        alert_id=alert.pk,
        organization=alert.organization.name,
        domain=alert.domain.name if alert.domain else "",
        type=alert.type,
        severity=alert.severity,
        group_key=alert.group_key,
        day=alert.first_seen.date(),
        details=dict(alert.details),
    )


def _reach(alerts: list[Alert]) -> dict[int, list[Alert]]:
    """Organization id -> the alerts it hears about: its own, and an MSP its clients'."""
    reach: dict[int, list[Alert]] = defaultdict(list)
    for alert in alerts:
        reach[alert.organization_id].append(alert)
        if alert.organization.managed_by_id:
            reach[alert.organization.managed_by_id].append(alert)
    return reach


def alerts_dispatch(
    *, now: datetime | None = None, critical_only: bool = False, limit: int = 5000
) -> DispatchSummary:
    """Send what is due and mark it notified. Deliberately cross-tenant (beat and the
    evaluation hooks); every recipient hears only of its own organization's alerts and, for an
    MSP's admins and webhooks, its clients'."""
    now = now or timezone.now()
    alerts = _due_alerts(now, critical_only, limit)
    if not alerts:
        return DispatchSummary()
    reach = _reach(alerts)
    summary = DispatchSummary(alerts=len(alerts))
    summary.emails = _send_emails(reach)
    summary.webhook_deliveries = _queue_webhooks(reach)
    for severity in {a.severity for a in alerts}:
        Alert.objects.filter(pk__in=[a.pk for a in alerts if a.severity == severity]).update(
            notified_at=now, notified_severity=severity
        )
    return summary


def _preferences(memberships: list[Membership]) -> dict[int, NotificationPreference]:
    stored = NotificationPreference.objects.filter(membership__in=memberships)
    found = {p.membership_id: p for p in stored}
    return {
        m.pk: found.get(m.pk) or NotificationPreference(membership=m, **preference_defaults(m.role))
        for m in memberships
    }


def _send_emails(reach: dict[int, list[Alert]]) -> int:
    memberships = list(
        Membership.objects.filter(organization_id__in=list(reach))
        .select_related("user", "organization")
        .filter(user__is_active=True)
    )
    preferences = _preferences(memberships)
    messages = []
    for membership in memberships:
        preference = preferences[membership.pk]
        if not preference.alert_email:
            continue
        floor = SEVERITY_RANK[Severity(preference.alert_min_severity)]
        alerts = [
            a
            for a in reach[membership.organization_id]
            if SEVERITY_RANK[Severity(a.severity)] >= floor
            and (a.organization_id == membership.organization_id or membership.role in MSP_ROLES)
        ]
        if not alerts:
            continue
        notifications = group_alerts(_item(a) for a in alerts)
        subject, body = email_text(notifications, organization=membership.organization.name)
        body += f"\nStop alert emails: {unsubscribe_url(membership.pk, 'alerts')}\n"
        messages.append(EmailMessage(subject, body, to=[membership.user.email]))
    if messages:
        try:
            get_connection().send_messages(messages)
        except OSError as exc:  # the alerts stay marked: the web UI and the API still list them
            log.warning("alert email failed: %s", exc)
            return 0
    return len(messages)


def _queue_webhooks(reach: dict[int, list[Alert]]) -> int:
    rows = []
    base_url = settings.TLSMON_BASE_URL
    for webhook in Webhook.objects.filter(organization_id__in=list(reach), enabled=True):
        for notification in group_alerts(_item(a) for a in reach[webhook.organization_id]):
            single = notification.items[0].alert_id if len(notification.items) == 1 else None
            rows.append((webhook, EVENT_ALERT, _payload(webhook, notification, base_url), single))
    return len(deliveries_create(rows))


def _payload(webhook: Webhook, notification: Notification, base_url: str) -> dict:
    if webhook.format == "slack":
        return slack_payload(notification, event=EVENT_ALERT)
    return json_payload(notification, event=EVENT_ALERT, base_url=base_url)
