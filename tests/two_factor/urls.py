"""django-two-factor-auth's pages and one page that needs a verified login."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django_otp.decorators import otp_required
from two_factor.urls import urlpatterns as two_factor_urls


@otp_required
def secret(request: HttpRequest) -> HttpResponse:
    """Reached only with a login verified by django-two-factor-auth."""
    return HttpResponse(f"verified: {request.user.get_username()}", content_type="text/plain")


urlpatterns = [
    path("", include(two_factor_urls)),
    path("secret/", secret),
]
