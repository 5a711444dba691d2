"""What a notification says: the webhook bodies (``json`` and ``slack``) and the email text
(pure: no Django, no I/O). One notification may list many domains (``notify.grouping``)."""

from __future__ import annotations

from typing import Any

from notify.grouping import Notification

EVENT_ALERT = "alert.opened"
EVENT_TEST = "webhook.test"


def json_payload(notification: Notification, *, event: str, base_url: str) -> dict[str, Any]:
    """The ``json`` webhook body; stable field names (documented in README.md)."""
    return {
        "event": event,
        "type": notification.type,
        "severity": notification.severity,
        "title": notification.title,
        "cause": notification.cause,
        "day": notification.day.isoformat(),
        "alerts": [
            {
                "id": item.alert_id,
                "organization": item.organization,
                "domain": item.domain,
                "severity": item.severity,
                "details": item.details,
                "url": f"{base_url}/api/v1/alerts/{item.alert_id}/",
            }
            for item in notification.items
        ],
    }


def text_lines(notification: Notification) -> list[str]:
    """One line per alert: domain (organization), severity and the detail that matters."""
    lines = []
    for item in notification.items:
        detail = ", ".join(
            f"{k}: {v}" for k, v in sorted(item.details.items()) if v not in ("", None, [])
        )
        lines.append(
            f"- {item.domain} ({item.organization}), {item.severity}"
            + (f": {detail}" if detail else "")
        )
    return lines


def slack_payload(notification: Notification, *, event: str) -> dict[str, Any]:
    """The ``slack`` webhook body: Slack's (and compatible chat tools') incoming-webhook
    ``text``, in their mrkdwn."""
    header = f"*{notification.title}* ({notification.severity})"
    if event == EVENT_TEST:
        header = "*TLSMon test message*: this webhook works."
    return {"text": "\n".join([header, *text_lines(notification)])}


def email_text(notifications: list[Notification], *, organization: str) -> tuple[str, str]:
    """Subject and plain-text body of one alert email carrying one or more notifications."""
    if len(notifications) == 1:
        subject = f"[TLSMon] {notifications[0].title}"
    else:
        subject = f"[TLSMon] {len(notifications)} alerts for {organization}"
    parts = []
    for notification in notifications:
        parts.append(f"{notification.title} ({notification.severity})")
        parts.extend(text_lines(notification))
        parts.append("")
    return subject, "\n".join(parts).rstrip() + "\n"
