"""The user's trusted browsers on the phones page (S9): forget one, forget all, and
"sign out everywhere". Only for a verified session; each action asks first (GET) and
acts on POST, like removing a phone. Another user's browser id is a 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import pgettext

from ..flows import signout, trust
from ..gate.decorators import second_factor_required
from . import feedback
from .common import login_url, page

FORGET_TEMPLATE = "django_tyntec2fa/browser_forget.html"
SIGN_OUT_TEMPLATE = "django_tyntec2fa/sign_out_everywhere.html"


def browsers_context(request: HttpRequest) -> dict[str, Any]:
    """The phones page's list of trusted browsers (one query), and which one is this.
    Shown while the feature is on, or while rows from an earlier time remain."""
    browsers = trust.browsers(request.user)
    return {
        "trust_enabled": trust.enabled(),
        "browsers": browsers,
        "current_browser": trust.current_id(request),
    }


@page(["GET", "POST"])
@second_factor_required
def browser_forget(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks "Forget this browser?"; POST forgets it: its next sign-in asks a code."""
    browser = next((b for b in trust.browsers(request.user) if b.pk == pk), None)
    if browser is None:
        raise Http404("No such browser.")
    if request.method == "GET":
        context = {"browser": browser, "current": trust.current_id(request) == pk}
        return TemplateResponse(request, FORGET_TEMPLATE, context)
    trust.forget(request, request.user, pk)
    feedback.flash(request, pgettext("tyntec2fa", "The browser was forgotten."))
    return trust.update_cookie(request, redirect("tyntec2fa:devices"))


@page(["GET", "POST"])
@second_factor_required
def browsers_forget(request: HttpRequest) -> HttpResponse:
    """GET asks "Forget all browsers?"; POST forgets every trusted browser of the user."""
    if request.method == "GET":
        return TemplateResponse(request, FORGET_TEMPLATE, {"browser": None})
    trust.revoke(request, request.user, reason=trust.FORGOTTEN)
    feedback.flash(request, pgettext("tyntec2fa", "All browsers were forgotten."))
    return trust.update_cookie(request, redirect("tyntec2fa:devices"))


@page(["GET", "POST"])
@second_factor_required
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """GET says what it ends; POST ends it and logs this browser out."""
    if request.method == "GET":
        return TemplateResponse(request, SIGN_OUT_TEMPLATE, {})
    signout.sign_out_everywhere(request, request.user)
    notice = pgettext(
        "tyntec2fa", "You are signed out. Your trusted browsers and app sign-ins were ended too."
    )
    feedback.confirm(request, notice, app_page=False)  # the sign-in page tells it
    return trust.update_cookie(request, redirect(login_url()))
