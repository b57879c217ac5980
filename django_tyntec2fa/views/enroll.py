"""Enrollment: add a phone number, then confirm it with the code sent to it (E1).

Two kinds of user may enroll. A signed-in user: binding a new authenticator needs a
recent second factor when they already have one (E2); their first phone needs none,
there is nothing stronger to ask for. And a pending login whose policy requires a
phone first (purpose "enroll"): confirming completes that login. A pending *login*
(the user has a phone, only the password is done) can never add a phone (E2,
CVE-2019-16766)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import pgettext

from .. import flows
from ..core import policy, session
from ..exceptions import (
    DeviceError,
    LoginTimeout,
    ProviderRejected,
    SecondFactorPending,
    StepUpRequired,
    Tyntec2FAError,
)
from ..gate import redirects
from ..models import Challenge
from . import feedback
from .common import (
    error_response,
    is_code_refusal,
    login_url,
    page,
    refuse_code,
    show_risk_notice,
)
from .forms import CodeForm, EnrollForm

ENROLL_TEMPLATE = "django_tyntec2fa/enroll.html"
CONFIRM_TEMPLATE = "django_tyntec2fa/enroll_confirm.html"
ENROLL = Challenge.Purpose.ENROLL
#: The URL name of the confirmation page, where a refused code comes back to.
CONFIRM_PAGE = "enroll-confirm"


def _enrolling_user(
    request: HttpRequest,
) -> tuple[Any, session.PendingLogin | None] | HttpResponse:
    """The user who may enroll now (``flows.enrolling_user``), with their pending
    login if any, or where to go instead."""
    try:
        found = flows.enrolling_user(request, request.user)
    except StepUpRequired:
        back = redirects.current_path(request)
        return redirects.redirect_with_next(reverse("tyntec2fa:step-up"), back)
    except SecondFactorPending:
        return redirect("tyntec2fa:challenge")
    except LoginTimeout:
        return redirect(login_url())
    return found.user, found.pending


def _next(request: HttpRequest) -> str:
    """The page to go to after enrollment, from the query (GET) or the form (POST);
    checked every time it is read (S5)."""
    source = request.POST if request.method == "POST" else request.GET
    return redirects.safe_next(request, source.get("next", ""))


def _with_next(name: str, next_url: str) -> HttpResponse:
    return redirects.redirect_with_next(reverse(f"tyntec2fa:{name}"), next_url)


@page(["GET", "POST"], sensitive=["number"], pending=True)
def enroll(request: HttpRequest) -> HttpResponse:
    """GET shows the form; POST starts the enrollment and sends a code to the number."""
    found = _enrolling_user(request)
    if isinstance(found, HttpResponse):
        return found
    user, pending = found
    next_url = _next(request)
    if request.method == "GET":
        if pending is not None and next_url:
            session.set_next(request, next_url)
        context = _enroll_context(request, EnrollForm(), next_url)
        return TemplateResponse(request, ENROLL_TEMPLATE, context)
    form = EnrollForm(request.POST)
    if not form.is_valid():
        context = _enroll_context(request, form, next_url)
        return TemplateResponse(request, ENROLL_TEMPLATE, context, status=400)
    try:
        flows.enroll(
            request,
            user,
            number=form.cleaned_data["number"],
            label=form.cleaned_data["label"],
            channel=form.cleaned_data["channel"],
        )
    except LoginTimeout:
        return redirect(login_url())
    except (DeviceError, ProviderRejected) as error:
        # An invalid, refused or duplicate number belongs to the number field.
        form.add_error("number", error.message)
        context = _enroll_context(request, form, next_url)
        return TemplateResponse(request, ENROLL_TEMPLATE, context, status=400)
    except Tyntec2FAError as error:
        context = _enroll_context(request, form, next_url)
        return error_response(request, ENROLL_TEMPLATE, context, error)
    return _with_next("enroll-confirm", next_url)


def _enroll_context(request: HttpRequest, form: EnrollForm, next_url: str) -> dict[str, Any]:
    return {
        "form": form,
        "next": next_url,
        "show_risk_notice": show_risk_notice(),
        "signed_in": request.user.is_authenticated,
    }


def _confirm_context(user: Any, next_url: str, form: CodeForm | None = None) -> dict[str, Any]:
    live = flows.live_challenge(user, ENROLL)
    return {
        "challenge": live,
        "device": live.device if live else None,
        **feedback.cooldown_context(flows.cooldown_seconds(live)),
        "form": form or CodeForm(),
        "next": next_url,
    }


@page(["GET", "POST"], sensitive=["code"], pending=True)
def enroll_confirm(request: HttpRequest) -> HttpResponse:
    """GET shows the code form; POST ``code`` confirms the phone, POST ``resend`` sends
    a new code to the phone being enrolled."""
    found = _enrolling_user(request)
    if isinstance(found, HttpResponse):
        return found
    user, pending = found
    next_url = _next(request)
    if request.method == "GET":
        context = _confirm_context(user, next_url)
        # Also when the refusal killed the code: the page says what to do next.
        shown = feedback.show_kept(request, CONFIRM_PAGE, context)
        if not shown and context["challenge"] is None:
            return _with_next("enroll", next_url)
        context["early"] = feedback.take_notice(request) == feedback.EARLY
        return TemplateResponse(request, CONFIRM_TEMPLATE, context)
    if "resend" in request.POST:
        return _resend(request, user, next_url)
    form = CodeForm(request.POST)
    if not form.is_valid():
        context = _confirm_context(user, next_url, form)
        return TemplateResponse(request, CONFIRM_TEMPLATE, context, status=400)
    first = not policy.has_confirmed_device(user)
    try:
        device = flows.confirm(request, user, code=form.cleaned_data["code"])
    except LoginTimeout:
        return redirect(login_url())
    except Tyntec2FAError as error:
        if is_code_refusal(error):
            # Post/redirect/get, `next` kept: a reload never posts the code again.
            return refuse_code(request, CONFIRM_PAGE, error, next_url=next_url)
        context = _confirm_context(user, next_url, form)
        return error_response(request, CONFIRM_TEMPLATE, context, error)
    # A pending login completed by this enrollment goes where the user was heading.
    if pending is not None:
        next_url = redirects.safe_next(request, pending.next_url) or next_url
    added = pgettext("tyntec2fa", "The phone “%(phone)s” was added.") % {"phone": device}
    feedback.confirm(request, added, app_page=not next_url)  # no `next`: the phones page
    if first and flows.recovery.enabled():
        # The first phone: offer a set of recovery codes before going on (issue 11).
        return _with_next("recovery-codes", next_url)
    # Not redirect(): a `next` such as "home" is a URL here, never a URL name.
    return HttpResponseRedirect(next_url or reverse("tyntec2fa:devices"))


def _resend(request: HttpRequest, user: Any, next_url: str) -> HttpResponse:
    try:
        flows.resend(request, user, purpose=ENROLL)
    except Tyntec2FAError as error:
        if feedback.is_early(error):
            feedback.flash(request, feedback.EARLY)  # the page's clock says when
            return _with_next("enroll-confirm", next_url)
        context = _confirm_context(user, next_url)
        return error_response(request, CONFIRM_TEMPLATE, context, error)
    return _with_next("enroll-confirm", next_url)
