"""Root URLs: web UI, admin, the REST API under /api/v1/ and its schema and docs."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import views as accounts_views
from tlsmon import domain_views, views
from tlsmon.api import router

handler404 = "tlsmon.api_errors.json_not_found"
handler500 = "tlsmon.api_errors.json_server_error"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("o/<slug:slug>/", accounts_views.organization, name="organization"),
    path("o/<slug:slug>/tokens/", accounts_views.tokens, name="tokens"),
    path("o/<slug:slug>/domains/<int:domain_id>/", domain_views.domain_page, name="domain"),
    path(
        "o/<slug:slug>/tokens/<int:token_id>/revoke/",
        accounts_views.token_revoke,
        name="token-revoke",
    ),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include(router.urls)),
    path("tlsrpt/", include("reports.urls")),
]
