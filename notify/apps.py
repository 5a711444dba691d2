from django.apps import AppConfig


class NotifyConfig(AppConfig):
    """What TLSMon tells people unasked: email digests, alerts when a domain gets worse, and
    signed webhooks. Owns the notification models and the preferences of each membership."""

    name = "notify"
