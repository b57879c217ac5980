"""The login challenge: enter the code, send a new one, call instead, use another phone,
or cancel. The user is the *pending* one from the session: ``request.user`` is anonymous
until the code is right (S1)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from .. import flows
from ..core import lockout, policy, session
from ..exceptions import LoginTimeout, Tyntec2FAError
from ..flows import trust
from ..gate import redirects, session_cookie
from ..models import Challenge
from . import feedback
from .common import error_response, is_code_refusal, login_url, page, refuse_code
from .delivery import delivery_context
from .forms import CodeForm, SendForm

TEMPLATE = "django_tyntec2fa/challenge.html"
LOGIN = Challenge.Purpose.LOGIN
#: The URL name of the page, where a refused code comes back to (``feedback.keep``).
PAGE = "challenge"


def _pending(request: HttpRequest) -> tuple[session.PendingLogin, Any] | None:
    pending = session.get_pending(request)
    user = session.pending_user(request, pending) if pending else None
    return (pending, user) if pending and user is not None else None


def _no_pending(request: HttpRequest) -> HttpResponseRedirect:
    """No pending login (never started, timed out, or done already)."""
    if request.user.is_authenticated:
        target = redirects.safe_next(request, request.GET.get("next", ""))
        return HttpResponseRedirect(redirects.next_or_default(request, target))
    return redirect(login_url())


def pending_login(request: HttpRequest) -> tuple[session.PendingLogin, Any] | HttpResponse:
    """The pending login and its user, for a step of the second factor (the code page,
    its sends, the recovery code page); or where to go instead: the login page without
    a pending login, enrollment when the policy asks for a phone first."""
    found = _pending(request)
    if found is None:
        return _no_pending(request)
    if found[0].enrolling:
        return redirect("tyntec2fa:enroll")
    return found


def challenge_context(
    request: HttpRequest,
    user: Any,
    *,
    purpose: str = LOGIN,
    code_form: CodeForm | None = None,
    send_form: SendForm | None = None,
) -> dict[str, Any]:
    """Everything the challenge page shows; shared with the step-up page.

    The page also says what the user may do next (``lockout.standing``, one query):
    while the account waits or is locked the code field is disabled and the message
    says until when, or what to do, instead of offering a try or a send that would be
    refused; after a reload and at the next sign-in too.
    """
    devices = policy.login_devices(user)
    # The live code's phone comes from that list, not from a join (the page's cost).
    live = flows.live_challenge(user, purpose, devices=devices)
    device = live.device if live is not None else (devices[0] if devices else None)
    others = [other for other in devices if device is None or other.pk != device.pk]
    form = code_form or CodeForm()
    standing = lockout.standing(user, live=live)
    return {
        "purpose": purpose,
        "challenge": live,
        "device": device,
        "other_devices": others,
        **feedback.cooldown_context(flows.cooldown_seconds(live)),
        # A wait or the lock: its message, the field disabled, the wait's countdown.
        **feedback.standing_context(standing, form),
        # Why the password step sent no code (a block, a limit, the budget): issue 15.
        "send_refusal": flows.login_refusal(request, user)
        if live is None and not standing.blocked and purpose == LOGIN
        else None,
        "form": form,
        # Sent, delivered or failed, and whether to offer a call first (issue 13): one
        # cache read while the provider need not be asked.
        **delivery_context(request, user, live),
        # "Use a recovery code": offered whether or not the user has any (no query,
        # and a password alone does not learn whether they do).
        "recovery_enabled": purpose == LOGIN and flows.recovery.enabled(),
        # "Don't ask for a code on this browser for N days" (S9): at sign-in only.
        "trust_days": trust.days() if purpose == LOGIN else 0,
        # Only "use another phone" needs it (its choices cost a query when rendered).
        "send_form": send_form
        or (SendForm(user=user, exclude_pk=device.pk if device else None) if others else None),
    }


@page(["GET", "POST"], sensitive=["code"], pending=True)
def challenge(request: HttpRequest) -> HttpResponse:
    """GET shows the page (never sends, P5); POST checks ``code`` from the body only."""
    found = pending_login(request)
    if isinstance(found, HttpResponse):
        return found
    pending, user = found
    if request.method == "GET":
        if "next" in request.GET:
            # Validated when stored and again when used (S5).
            session.set_next(request, redirects.safe_next(request, request.GET["next"]))
        context = challenge_context(request, user)
        context["early"] = feedback.take_notice(request) == feedback.EARLY
        feedback.show_kept(request, PAGE, context)
        response = TemplateResponse(request, TEMPLATE, context)
        refusal = context.get("send_refusal")
        if refusal is not None and refusal.unavailable:
            # No code could be sent because the service is down: say so with the status.
            response.status_code = 503
            if refusal.retry_after:
                response["Retry-After"] = str(refusal.retry_after)
            # Whatever this GET changed in the session (?next=, a notice taken) is
            # kept, which Django does not do on a 5xx answer.
            session_cookie.keep(request, response)
        return response

    form = CodeForm(request.POST)
    if not form.is_valid():
        return TemplateResponse(
            request, TEMPLATE, challenge_context(request, user, code_form=form), status=400
        )
    next_url = pending.next_url
    remember = request.POST.get("remember") == "1"
    try:
        flows.verify_login(request, form.cleaned_data["code"], found=found, remember=remember)
    except LoginTimeout:
        return redirect(login_url())
    except Tyntec2FAError as error:
        if is_code_refusal(error):
            # Back to the page, the refusal kept for it: a reload never posts the code.
            return refuse_code(request, PAGE, error)
        context = challenge_context(request, user, code_form=form)
        return error_response(request, TEMPLATE, context, error)
    # Not redirect(): it would take a `next` such as "home" for a URL name (a 500
    # when none matches); a checked `next` is a URL, as in Django's LoginView.
    response = HttpResponseRedirect(redirects.next_or_default(request, next_url))
    return trust.update_cookie(request, response)  # "remember this browser" (S9)


@page(["POST"], pending=True)
def challenge_send(request: HttpRequest) -> HttpResponse:
    """Send a code: the first one, a new one, by voice ("call me instead"), or to
    another of the user's confirmed phones ("use another phone")."""
    found = pending_login(request)
    if isinstance(found, HttpResponse):
        return found
    pending, user = found
    form = SendForm(request.POST, user=user)
    if not form.is_valid():
        # Also another user's device id: an invalid choice, nothing is sent (IDOR).
        context = challenge_context(request, user, send_form=form)
        return TemplateResponse(request, TEMPLATE, context, status=400)
    channel = form.cleaned_data["channel"]
    device = form.cleaned_data["device"]
    try:
        flows.resend_login_code(request, device=device, channel=channel)
    except LoginTimeout:
        return redirect(login_url())
    except Tyntec2FAError as error:
        if feedback.is_early(error):
            # Back to the code page, whose clock says when: one message, and a reload
            # of the page never posts the send again.
            feedback.flash(request, feedback.EARLY)
            return redirect("tyntec2fa:challenge")
        return error_response(request, TEMPLATE, challenge_context(request, user), error)
    # Post/redirect/get: reloading the page must not send again.
    return redirect("tyntec2fa:challenge")


@page(["POST"], pending=True)
def challenge_cancel(request: HttpRequest) -> HttpResponse:
    """Give up the login: the provider OTP is cancelled and the pending state wiped (S11)."""
    flows.abort_login(request)
    return redirect(login_url())
