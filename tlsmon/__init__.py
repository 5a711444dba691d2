"""TLSMon project package: settings, URLs, the Celery app and the cross-app views."""

from tlsmon.celery import app as celery_app

__all__ = ["celery_app"]
