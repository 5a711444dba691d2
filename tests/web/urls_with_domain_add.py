"""The project's URLs plus a stand-in ``domain-add`` page, for tests of links to onboarding
(the real page lives in another part of the UI and may not be installed)."""

from django.http import HttpResponse
from django.urls import path

from tlsmon.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("o/<slug:slug>/domains/add/", lambda request, slug: HttpResponse(), name="domain-add"),
    *project_urlpatterns,
]
