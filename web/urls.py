"""URLs of the web UI pages."""

from django.contrib.auth import views as auth_views
from django.urls import path

from web.views import dashboard, domain, health, onboarding, organization, settings

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("o/<slug:slug>/", organization.organization, name="organization"),
    path("o/<slug:slug>/domains/add/", onboarding.domain_add, name="domain-add"),
    path(
        "o/<slug:slug>/domains/add/<str:batch>/",
        onboarding.domain_add_result,
        name="domain-add-result",
    ),
    path(
        "o/<slug:slug>/domains/add/<str:batch>/status/",
        onboarding.domain_add_status,
        name="domain-add-status",
    ),
    path("o/<slug:slug>/clients/add/", onboarding.client_add, name="client-add"),
    path("o/<slug:slug>/settings/", settings.settings_page, name="settings"),
    # The former tokens page: the settings page answers there too (its tokens are a section).
    path("o/<slug:slug>/tokens/", settings.settings_page, name="tokens"),
    path("o/<slug:slug>/domains/<int:domain_id>/", domain.domain_page, name="domain"),
    path("o/<slug:slug>/tokens/<int:token_id>/revoke/", settings.token_revoke, name="token-revoke"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", health.healthz, name="healthz"),
]
