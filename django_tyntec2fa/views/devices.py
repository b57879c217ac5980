"""The user's phones: list, make primary, remove. Only for a verified session.

Every action looks the device up among the signed-in user's own phones first, so
another user's id is a 404 and changes nothing (IDOR, E2, CVE-2020-5240); the flow
checks ownership again and owns the rule about the last phone (E3)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import pgettext

from .. import flows
from ..core import session
from ..exceptions import DeviceError, Tyntec2FAError
from ..gate.decorators import second_factor_required
from ..models import PhoneDevice
from . import feedback
from .common import error_response, page
from .trust import browsers_context

TEMPLATE = "django_tyntec2fa/devices.html"
REMOVE_TEMPLATE = "django_tyntec2fa/device_remove.html"


def _context(request: HttpRequest) -> dict[str, Any]:
    return {
        "devices": list(PhoneDevice.objects.filter(user=request.user)),
        "notice": feedback.take_notice(request),
        **browsers_context(request),  # the trusted browsers (S9), views/trust.py
        # How many recovery codes are left and when they were made (None: switched off).
        "recovery": flows.recovery.status(request.user) if flows.recovery.enabled() else None,
    }


def _own_device_pk(request: HttpRequest, pk: int) -> int:
    if not PhoneDevice.objects.filter(user=request.user, pk=pk).exists():
        raise Http404("No such phone.")
    return pk


@page(["GET"])
@second_factor_required
def devices(request: HttpRequest) -> HttpResponse:
    """The list of the user's phones with their actions."""
    return TemplateResponse(request, TEMPLATE, _context(request))


@page(["POST"])
@second_factor_required
def device_primary(request: HttpRequest, pk: int) -> HttpResponse:
    """Make this phone the one login codes go to first."""
    try:
        flows.make_primary(request, request.user, _own_device_pk(request, pk))
    except Tyntec2FAError as error:
        return error_response(request, TEMPLATE, _context(request), error)
    return redirect("tyntec2fa:devices")


@page(["GET", "POST"])
@second_factor_required
def device_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks "Remove this phone?"; POST removes it and the phones page confirms it.
    The last confirmed one needs a recent second factor (E3): the flow refuses
    otherwise, and the page offers the step-up."""
    if request.method == "GET":
        device = PhoneDevice.objects.filter(user=request.user, pk=pk).first()
        if device is None:
            raise Http404("No such phone.")
        return TemplateResponse(request, REMOVE_TEMPLATE, {"device": device})
    name = str(PhoneDevice.objects.filter(user=request.user, pk=pk).first() or "")
    try:
        flows.remove(request, request.user, _own_device_pk(request, pk))
    except DeviceError as error:
        context = _context(request)
        needs_step_up = not session.is_recent(request)
        if needs_step_up:
            devices_url = reverse("tyntec2fa:devices")
            context["step_up_url"] = (
                f"{reverse('tyntec2fa:step-up')}?{urlencode({'next': devices_url})}"
            )
        status = 403 if needs_step_up else 400
        return error_response(request, TEMPLATE, context, error, status=status)
    except Tyntec2FAError as error:
        return error_response(request, TEMPLATE, _context(request), error)
    message = pgettext("tyntec2fa", "The phone “%(phone)s” was removed.") % {"phone": name}
    feedback.flash(request, message)
    return redirect("tyntec2fa:devices")
