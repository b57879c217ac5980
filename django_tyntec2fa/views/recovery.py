"""Recovery codes: use one at sign-in (``recover``), generate a set (``recovery_codes``).

``recover`` serves the *pending* login, as the challenge page does: ``request.user``
is anonymous until a code is right (S1). ``recovery_codes`` shows a new set exactly
once, in the answer to the POST that generated it: the codes are never stored in the
session or anywhere else, and the answer is never cached (S7). The rules are
``flows.recovery``'s.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, npgettext

from ..core import lockout
from ..exceptions import AccountLocked, InvalidCode, LoginTimeout, StepUpRequired, Tyntec2FAError
from ..flows import recovery, trust
from ..gate import redirects
from ..gate.decorators import recent_second_factor
from . import feedback
from .challenge import pending_login
from .common import error_response, login_url, page, redirect_refused
from .forms import RecoveryCodeForm

RECOVER_TEMPLATE = "django_tyntec2fa/recover.html"
#: The URL name of the page, where a refused recovery code comes back to.
RECOVER_PAGE = "recover"
CODES_TEMPLATE = "django_tyntec2fa/recovery_codes.html"


def _require_enabled() -> None:
    if not recovery.enabled():
        raise Http404("Recovery codes are switched off.")


@page(["GET", "POST"], sensitive=["code"], pending=True)
def recover(request: HttpRequest) -> HttpResponse:
    """GET shows the recovery code form; POST completes the pending login with a code."""
    _require_enabled()
    found = pending_login(request)
    if isinstance(found, HttpResponse):
        return found
    pending, user = found
    if request.method == "GET":
        context = _recover_context(user)
        feedback.show_kept(request, RECOVER_PAGE, context)
        return TemplateResponse(request, RECOVER_TEMPLATE, context)
    form = RecoveryCodeForm(request.POST)
    if not form.is_valid():
        return TemplateResponse(request, RECOVER_TEMPLATE, _recover_context(user, form), status=400)
    next_url = pending.next_url
    remember = request.POST.get("remember") == "1"
    try:
        recovery.recover_login(request, form.cleaned_data["code"], found=found, remember=remember)
    except LoginTimeout:
        return redirect(login_url())
    except (InvalidCode, AccountLocked) as error:
        # Post/redirect/get, as the code page: a reload never posts the code again.
        return redirect_refused(request, RECOVER_PAGE, _refusal(user, error, remember=remember))
    except Tyntec2FAError as error:
        return error_response(request, RECOVER_TEMPLATE, _recover_context(user, form), error)
    # As the code page: a checked `next` is a URL, never a URL name.
    response = HttpResponseRedirect(redirects.next_or_default(request, next_url))
    return trust.update_cookie(request, response)  # "remember this browser" (S9)


def _recover_context(user: Any, form: RecoveryCodeForm | None = None) -> dict[str, Any]:
    locked = lockout.blocked_error(user)
    form = form or RecoveryCodeForm()
    if locked is not None:
        form.fields["code"].disabled = True  # nothing typed now could be checked
    return {
        "form": form,
        "locked": locked is not None,
        "locked_message": feedback.locked_message(locked) if locked is not None else "",
        # "Don't ask for a code on this browser for N days" (S9), as on the code page.
        "trust_days": trust.days(),
    }


def _refusal(user: Any, error: Tyntec2FAError, *, remember: bool) -> feedback.Refusal:
    """The refusal on the code field: a wrong code with the tries left before the
    account must wait; a waiting or locked account with until when, the field disabled."""
    blocked = error if isinstance(error, AccountLocked) else lockout.blocked_error(user)
    if blocked is not None:
        message = feedback.locked_message(blocked)
        return feedback.Refusal(message, dead=True, locked=True, remember=remember)
    left = recovery.tries_before_wait(user)
    tries = npgettext(
        "tyntec2fa",
        "You have %(count)s try left before you must wait.",
        "You have %(count)s tries left before you must wait.",
        left,
    ) % {"count": left}
    return feedback.Refusal(f"{error.message} {tries}", remember=remember)


@page(["GET", "POST"])
@recent_second_factor
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """GET: the set's status and the "generate" button. POST: a new set, shown once in
    this answer (no redirect, nothing kept), with download and print."""
    _require_enabled()
    user = request.user
    next_url = redirects.safe_next(request, request.POST.get("next") or request.GET.get("next"))
    context: dict[str, Any] = {"status": recovery.status(user), "next": next_url}
    if request.method == "GET":
        return TemplateResponse(request, CODES_TEMPLATE, context)
    try:
        generated = recovery.generate(request, user)
    except StepUpRequired:  # the proof aged between the gate and the flow
        back = reverse("tyntec2fa:recovery-codes")
        return redirects.redirect_with_next(reverse("tyntec2fa:step-up"), back)
    except Tyntec2FAError as error:
        return error_response(request, CODES_TEMPLATE, context, error)
    context.update(
        status=generated.status,
        codes=generated.codes,
        download_url=_download_url(generated.codes),
    )
    return TemplateResponse(request, CODES_TEMPLATE, context)


def _download_url(codes: list[str]) -> str:
    """A ``data:`` URL of the codes as a text file: downloaded without JavaScript and
    without another request, so the codes are never served twice."""
    heading = gettext("Recovery codes. Each code works once.")
    text = "\r\n".join([heading, "", *codes, ""])
    return "data:text/plain;charset=utf-8," + urllib.parse.quote(text)
