"""URLs of the demo site; the standard Django ones plus the app's under /2fa/, its JSON
API under /api/ and, with drf-spectacular, the API's schema and docs."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from django_tyntec2fa.views import LoginView

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    # The app's LoginView before Django's URLs: a user who owes a code is sent
    # straight to it, without being logged in first (docs/installation.md).
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("2fa/", include("django_tyntec2fa.urls")),
    path("protected/", views.protected, name="protected"),
    path("protected/sensitive/", views.sensitive, name="sensitive"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox.json", views.outbox_json, name="outbox-json"),
    path("admin/", admin.site.urls),
    path("api/", include("django_tyntec2fa.api.urls")),
]

if settings.API_SCHEMA:
    from drf_spectacular.views import SpectacularAPIView

    urlpatterns += [path("api/schema/", SpectacularAPIView.as_view(), name="schema")]
if settings.API_DOCS:
    from drf_spectacular.views import SpectacularRedocView

    # Redoc and the schema both come from this site (drf-spectacular-sidecar, static
    # files), so the page works offline; example/templates/drf_spectacular/redoc.html.
    urlpatterns += [
        path("api/docs/", SpectacularRedocView.as_view(url_name="schema"), name="api-docs")
    ]
