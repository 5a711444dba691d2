"""Public report intake: ``POST /tlsrpt/<token>/`` (RFC 8460 section 5.4)."""

from __future__ import annotations

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("<str:token>/", views.report_intake, name="intake"),
    path("<str:token>", views.report_intake, name="intake-noslash"),
]
