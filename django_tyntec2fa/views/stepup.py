"""Step-up: a signed-in user confirms a fresh code before a sensitive action (S10, E3).

``next`` travels in the page's forms (no pending state exists here) and is checked
with ``redirects.safe_next`` each time it is read (S5)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from .. import flows
from ..core import policy
from ..exceptions import Tyntec2FAError
from ..gate import redirects
from ..models import Challenge
from . import feedback
from .challenge import challenge_context
from .common import error_response, is_code_refusal, page, refuse_code
from .forms import CodeForm, SendForm

TEMPLATE = "django_tyntec2fa/step_up.html"
STEP_UP = Challenge.Purpose.STEP_UP
#: The URL name of the page, where a refused code comes back to (``feedback.keep``).
PAGE = "step-up"


def _next(request: HttpRequest) -> str:
    raw = request.POST.get("next") if request.method == "POST" else request.GET.get("next")
    return redirects.safe_next(request, raw or "")


def _with_next(name: str, next_url: str) -> HttpResponse:
    return redirects.redirect_with_next(reverse(f"tyntec2fa:{name}"), next_url)


def _context(request: HttpRequest, next_url: str, **forms: object) -> dict[str, object]:
    context = challenge_context(request, request.user, purpose=STEP_UP, **forms)  # type: ignore[arg-type]
    context["next"] = next_url
    return context


@page(["GET", "POST"], sensitive=["code"])
@login_required
def step_up(request: HttpRequest) -> HttpResponse:
    """GET shows the page (never sends, P5); POST checks ``code`` from the body only."""
    next_url = _next(request)
    if not policy.has_confirmed_device(request.user):
        return _with_next("enroll", next_url)
    if request.method == "GET":
        context = _context(request, next_url)
        context["early"] = feedback.take_notice(request) == feedback.EARLY
        feedback.show_kept(request, PAGE, context)
        return TemplateResponse(request, TEMPLATE, context)
    form = CodeForm(request.POST)
    if not form.is_valid():
        return TemplateResponse(request, TEMPLATE, _context(request, next_url, code_form=form), 400)
    try:
        flows.step_up(request, form.cleaned_data["code"])
    except Tyntec2FAError as error:
        if is_code_refusal(error):
            # Post/redirect/get, `next` kept: a reload never posts the code again.
            return refuse_code(request, PAGE, error, next_url=next_url)
        context = _context(request, next_url, code_form=form)
        return error_response(request, TEMPLATE, context, error)
    # Not redirect(): a `next` such as "home" is a URL here, never a URL name.
    return HttpResponseRedirect(redirects.next_or_default(request, next_url))


@page(["POST"])
@login_required
def step_up_send(request: HttpRequest) -> HttpResponse:
    """Send (or send again) the step-up code, by SMS or by voice."""
    next_url = _next(request)
    form = SendForm(request.POST, user=request.user)
    if not form.is_valid():
        context = _context(request, next_url, send_form=form)
        return TemplateResponse(request, TEMPLATE, context, status=400)
    try:
        flows.send_step_up_code(request, channel=form.cleaned_data["channel"])
    except Tyntec2FAError as error:
        if feedback.is_early(error):
            feedback.flash(request, feedback.EARLY)  # the page's clock says when
            return _with_next("step-up", next_url)
        return error_response(request, TEMPLATE, _context(request, next_url), error)
    return _with_next("step-up", next_url)
