"""URLs of the demo site; the standard Django ones plus the app's under /2fa/."""

from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("2fa/", include("django_tyntec2fa.urls")),
    path("protected/", views.protected, name="protected"),
    path("protected/sensitive/", views.sensitive, name="sensitive"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox.json", views.outbox_json, name="outbox-json"),
    path("admin/", admin.site.urls),
]
