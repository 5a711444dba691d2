"""URLs of the web UI pages. The account pages (sign-up, login, logout, password reset) are
django-allauth's, mounted at the root by tlsmon/urls.py; ``login`` and ``logout`` name two
of them for the rest of the project."""

from allauth.account import views as account_views
from django.urls import path

from web.views import (
    dashboard,
    domain,
    domain_bulk,
    domain_list,
    health,
    invitations,
    members,
    notifications,
    onboarding,
    org_dashboard,
    quarantine,
    reports,
    settings,
)

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("o/<slug:slug>/", org_dashboard.org_dashboard, name="organization"),
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
    path("o/<slug:slug>/domains/", domain_list.domain_list, name="domains"),
    path("o/<slug:slug>/domains/export.csv", domain_list.domain_export, name="domains-export"),
    path("o/<slug:slug>/domains/bulk/", domain_bulk.domain_bulk, name="domains-bulk"),
    path("o/<slug:slug>/reports/", reports.report_list_page, name="reports"),
    path("o/<slug:slug>/reports/<int:report_id>/", reports.report_page, name="report"),
    path(
        "o/<slug:slug>/reports/<int:report_id>/raw.json",
        reports.report_raw,
        name="report-download",
    ),
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
    path("o/<slug:slug>/members/", members.members, name="members"),
    path(
        "o/<slug:slug>/members/<int:membership_id>/role/", members.member_role, name="member-role"
    ),
    path(
        "o/<slug:slug>/members/<int:membership_id>/remove/",
        members.member_remove,
        name="member-remove",
    ),
    path(
        "o/<slug:slug>/invitations/<int:invitation_id>/revoke/",
        members.invitation_revoke,
        name="invitation-revoke",
    ),
    path("invitations/<str:token>/", invitations.invitation, name="invitation"),
    path(
        "invitations/<str:token>/accept/",
        invitations.invitation_accept_view,
        name="invitation-accept",
    ),
    path("login/", account_views.login, name="login"),
    path("logout/", account_views.logout, name="logout"),
    path(
        "o/<slug:slug>/settings/notifications/",
        notifications.notification_settings,
        name="notification-settings",
    ),
    path("unsubscribe/<str:token>/", notifications.unsubscribe, name="unsubscribe"),
    path("healthz", health.healthz, name="healthz"),
]
