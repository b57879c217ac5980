"""Demo pages: the home page, a protected and a sensitive page, and the DEBUG-only outbox.

The sign-in, the code and the phone pages come from ``django.contrib.auth`` and
``django_tyntec2fa``; these views only show what the gate lets through.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from django_tyntec2fa.gate.decorators import recent_second_factor, second_factor_required
from django_tyntec2fa.models import PhoneDevice
from django_tyntec2fa.providers.sinks import Delivery
from django_tyntec2fa.providers.sinks import outbox as delivered


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """What the demo shows and how to walk through it."""
    return render(request, "example/home.html")


@never_cache
@require_GET
@second_factor_required
def protected(request: HttpRequest) -> HttpResponse:
    """Reachable only after the password and the code."""
    devices = PhoneDevice.objects.filter(user=request.user, confirmed=True)
    return render(request, "example/protected.html", {"devices": devices})


@never_cache
@require_GET
@recent_second_factor
def sensitive(request: HttpRequest) -> HttpResponse:
    """Needs a second factor from the last few minutes (step-up)."""
    return render(request, "example/sensitive.html")


def _debug_only() -> None:
    # The outbox holds codes: it must never exist on a real site (R5).
    if not settings.DEBUG:
        raise Http404


@never_cache
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    """Messages the local provider delivered in this process, newest first (DEBUG only)."""
    _debug_only()
    return render(request, "example/outbox.html", {"messages_sent": list(reversed(delivered))})


def _as_json(message: Delivery) -> dict[str, str]:
    return {
        "number": message.number,
        "channel": message.channel.value,
        "language": message.language,
        "text": message.text,
        "code": message.code,
        "otp_id": message.otp_id,
        "created": message.created.isoformat(),
    }


@never_cache
@require_GET
def outbox_json(request: HttpRequest) -> JsonResponse:
    """The outbox as JSON, oldest first, for scripts and the browser test (DEBUG only)."""
    _debug_only()
    return JsonResponse([_as_json(message) for message in list(delivered)], safe=False)
