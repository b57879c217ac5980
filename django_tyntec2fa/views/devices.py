"""The user's phones: list, make primary, remove. Only for a verified session.

Every action looks the device up among the signed-in user's own phones first, so
another user's id is a 404 and changes nothing (IDOR, E2, CVE-2020-5240); the flow
checks ownership again and owns the rule of a fresh second factor
(``flows.sensitive.require_fresh``: E2, E3), which this page only renders."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import pgettext

from .. import flows
from ..exceptions import StepUpRequired, Tyntec2FAError
from ..gate.decorators import second_factor_required
from ..models import PhoneDevice
from . import feedback
from .common import error_response, page
from .trust import browsers_context

TEMPLATE = "django_tyntec2fa/devices.html"
REMOVE_TEMPLATE = "django_tyntec2fa/device_remove.html"
GONE_TEMPLATE = "django_tyntec2fa/device_removed.html"
#: The session key of the ids of the phones this session removed (``_gone``).
REMOVED_KEY = "_tyntec2fa_removed_phones"
REMOVED_KEPT = 10


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
    """Make this phone the one login codes go to first; the phones page confirms it.
    Needs a recent second factor (E2): the flow refuses otherwise, and the page offers
    the step-up."""
    try:
        device = flows.make_primary(request, request.user, _own_device_pk(request, pk))
    except Tyntec2FAError as error:
        return _refused(request, error)
    message = pgettext("tyntec2fa", "Sign-in codes now go to “%(phone)s” first.")
    feedback.flash(request, message % {"phone": device})
    return redirect("tyntec2fa:devices")


@page(["GET", "POST"])
@second_factor_required
def device_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks "Remove this phone?"; POST removes it and the phones page confirms it.
    Any phone needs a recent second factor (E3): the flow refuses otherwise, and the
    page offers the step-up. A phone this session removed says so (410), for Back."""
    device = PhoneDevice.objects.filter(user=request.user, pk=pk).first()
    if device is None:
        return _gone(request, pk)
    if request.method == "GET":
        return TemplateResponse(request, REMOVE_TEMPLATE, {"device": device})
    try:
        flows.remove(request, request.user, device.pk)
    except Tyntec2FAError as error:
        return _refused(request, error)
    _remember_removed(request, pk)
    message = pgettext("tyntec2fa", "The phone “%(phone)s” was removed.") % {"phone": device}
    feedback.flash(request, message)
    return redirect("tyntec2fa:devices")


def _refused(request: HttpRequest, error: Tyntec2FAError) -> HttpResponse:
    """The phones page with the flow's refusal; a missing fresh second factor
    (``StepUpRequired``, 403) offers the step-up that comes back here."""
    context = _context(request)
    if isinstance(error, StepUpRequired):
        back = reverse("tyntec2fa:devices")
        context["step_up_url"] = f"{reverse('tyntec2fa:step-up')}?{urlencode({'next': back})}"
    return error_response(request, TEMPLATE, context, error)


def _remember_removed(request: HttpRequest, pk: int) -> None:
    """Keep the ids of the phones this session removed (the last few), so that Back to
    their "Remove this phone?" page says what happened instead of "not found"."""
    removed = [p for p in request.session.get(REMOVED_KEY, []) if p != pk]
    request.session[REMOVED_KEY] = [*removed, pk][-REMOVED_KEPT:]


def _gone(request: HttpRequest, pk: int) -> HttpResponse:
    """A phone that is not among the user's: "this phone was removed" (410) when this
    session removed it, else the 404 of an unknown or someone else's phone (IDOR)."""
    if pk not in request.session.get(REMOVED_KEY, []):
        raise Http404("No such phone.")
    return TemplateResponse(request, GONE_TEMPLATE, {}, status=410)
