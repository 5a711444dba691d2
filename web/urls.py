"""URLs of the web UI pages."""

from django.contrib.auth import views as auth_views
from django.urls import path

from web.views import dashboard, domain, health, notifications, organization, tokens

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("o/<slug:slug>/", organization.organization, name="organization"),
    path("o/<slug:slug>/tokens/", tokens.tokens, name="tokens"),
    path("o/<slug:slug>/domains/<int:domain_id>/", domain.domain_page, name="domain"),
    path("o/<slug:slug>/tokens/<int:token_id>/revoke/", tokens.token_revoke, name="token-revoke"),
    path(
        "o/<slug:slug>/settings/notifications/",
        notifications.notification_settings,
        name="notification-settings",
    ),
    path("unsubscribe/<str:token>/", notifications.unsubscribe, name="unsubscribe"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", health.healthz, name="healthz"),
]
