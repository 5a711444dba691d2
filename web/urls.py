"""URLs of the web UI pages."""

from django.contrib.auth import views as auth_views
from django.urls import path

from web.views import dashboard, domain, health, organization, quarantine, reports, tokens

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("o/<slug:slug>/", organization.organization, name="organization"),
    path("o/<slug:slug>/tokens/", tokens.tokens, name="tokens"),
    path("o/<slug:slug>/domains/<int:domain_id>/", domain.domain_page, name="domain"),
    path("o/<slug:slug>/tokens/<int:token_id>/revoke/", tokens.token_revoke, name="token-revoke"),
    path("o/<slug:slug>/reports/", reports.report_list_page, name="reports"),
    path("o/<slug:slug>/reports/<int:report_id>/", reports.report_page, name="report"),
    path("o/<slug:slug>/reports/<int:report_id>/raw.json", reports.report_raw, name="report-download"),
    path("o/<slug:slug>/quarantine/", quarantine.quarantine, name="quarantine"),
    path(
        "o/<slug:slug>/quarantine/<int:item_id>/reprocess/",
        quarantine.quarantine_retry,
        name="quarantine-retry",
    ),
    path(
        "o/<slug:slug>/quarantine/<int:item_id>/add-domain/",
        quarantine.quarantine_add,
        name="quarantine-add-domain",
    ),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", health.healthz, name="healthz"),
]
