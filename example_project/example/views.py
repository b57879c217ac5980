"""Demo pages: a provider playground and the DEBUG-only outbox.

The playground drives the configured provider directly (send, resend, check, cancel);
the OTP id stays in the session, never in the form, as the real flows will keep it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from django_tyntec2fa.exceptions import Tyntec2FAError
from django_tyntec2fa.providers import Channel, get_provider, mask_number
from django_tyntec2fa.providers.sinks import outbox as delivered

SESSION_KEY = "example_otp_id"


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    """Send a code to a number, then check it; nothing is sent on GET."""
    otp_id = request.session.get(SESSION_KEY)
    if request.method == "POST":
        try:
            _act(request, request.POST.get("action", ""), otp_id)
        except Tyntec2FAError as error:
            messages.error(request, error.message)
        return redirect("home")
    status = None
    if otp_id:
        try:
            status = get_provider().status(otp_id)
        except Tyntec2FAError:
            request.session.pop(SESSION_KEY, None)
    return render(request, "example/home.html", {"status": status})


def _act(request: HttpRequest, action: str, otp_id: str | None) -> None:
    provider = get_provider()
    if action == "send":
        number = request.POST.get("number", "").strip()
        channel = Channel.VOICE if request.POST.get("via") == "VOICE" else Channel.SMS
        status = provider.send(number, via=channel)
        request.session[SESSION_KEY] = status.otp_id
        messages.success(request, f"Code sent to {mask_number(status.number)}.")
    elif action == "resend" and otp_id:
        provider.resend(otp_id, via=Channel.VOICE)
        messages.success(request, "Code sent again, by voice call.")
    elif action == "check" and otp_id:
        result = provider.check(otp_id, request.POST.get("code", "").strip())
        level = messages.SUCCESS if result.verified else messages.ERROR
        messages.add_message(request, level, f"Check: {result.outcome.value}.")
    elif action == "cancel" and otp_id:
        provider.delete(otp_id)
        request.session.pop(SESSION_KEY, None)
        messages.info(request, "Code cancelled.")


@never_cache
def outbox(request: HttpRequest) -> HttpResponse:
    """Messages the local provider delivered in this process; exists only with DEBUG."""
    if not settings.DEBUG:
        raise Http404
    return render(request, "example/outbox.html", {"messages_sent": list(reversed(delivered))})
