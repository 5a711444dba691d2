"""Root URLs: web UI, account pages (django-allauth), admin, the REST API under /api/v1/
and its schema and docs."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from tlsmon.api import router

admin.site.site_header = admin.site.site_title = "TLSMon administration"
admin.site.index_title = "TLSMon administration"
handler404 = "api.errors.json_not_found"
handler500 = "api.errors.json_server_error"

urlpatterns = [
    path("", include("web.urls")),
    # django-allauth's account pages at the root: /signup/, /login/, /password/reset/, ...
    path("", include("allauth.account.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include(router.urls)),
    path("tlsrpt/", include("reports.urls")),
]
