"""Recovery codes: use one at sign-in (``recover``), generate a set (``recovery_codes``).

``recover`` serves the *pending* login, as the challenge page does: ``request.user``
is anonymous until a code is right (S1). ``recovery_codes`` shows a new set exactly
once, as a post/redirect/get (issue 23.12): the POST generates the set and redirects to
``?new=1``, whose GET shows it; a reload or Back then Forward meets "already shown" and
the button, never a silent new set nor a "confirm form resubmission" page. Between the
two, the session holds the codes XOR a one-time pad that only the browser's short
cookie has (``session.keep_new_codes``); the GET removes both. The answer is never
cached (S7). The rules are ``flows.recovery``'s.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, npgettext

from ..core import lockout, session
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
#: The browser's half of a new set on its way to its one page (``session.keep_new_codes``).
PAD_COOKIE = "tyntec2fa_new_codes"


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
        done = recovery.recover_login(
            request, form.cleaned_data["code"], found=found, remember=remember
        )
    except LoginTimeout:
        return redirect(login_url())
    except (InvalidCode, AccountLocked) as error:
        # Post/redirect/get, as the code page: a reload never posts the code again.
        return redirect_refused(request, RECOVER_PAGE, _refusal(error, remember=remember))
    except Tyntec2FAError as error:
        return error_response(request, RECOVER_TEMPLATE, _recover_context(user, form), error)
    notice = npgettext(
        "tyntec2fa",
        "You signed in with a recovery code. You have %(count)s recovery code left.",
        "You signed in with a recovery code. You have %(count)s recovery codes left.",
        done.remaining,
    ) % {"count": done.remaining}
    feedback.confirm(request, notice, app_page=False)  # the page the sign-in goes on to
    # As the code page: a checked `next` is a URL, never a URL name.
    response = HttpResponseRedirect(redirects.next_or_default(request, next_url))
    return trust.update_cookie(request, response)  # "remember this browser" (S9)


def _recover_context(user: Any, form: RecoveryCodeForm | None = None) -> dict[str, Any]:
    form = form or RecoveryCodeForm()
    # What the user may do next (lockout.standing): while the account waits or is
    # locked the field is disabled, with until when or what to do.
    standing = lockout.standing(user, per_code=False)
    return {
        "form": form,
        **feedback.standing_context(standing, form),
        # "Don't ask for a code on this browser for N days" (S9), as on the code page.
        "trust_days": trust.days(),
    }


def _refusal(error: Tyntec2FAError, *, remember: bool) -> feedback.Refusal:
    """The refusal on the code field, from the error's ``standing``: a wrong code with
    the tries left before the account must wait; a waiting or locked account with
    until when, the field disabled."""
    standing = error.standing
    if standing is None or standing.blocked or not standing.tries_left:
        return feedback.refusal(error, remember=remember)
    tries = npgettext(
        "tyntec2fa",
        "You have %(count)s try left before you must wait.",
        "You have %(count)s tries left before you must wait.",
        standing.tries_left,
    ) % {"count": standing.tries_left}
    return feedback.Refusal(f"{error.message} {tries}", remember=remember)


@page(["GET", "POST"])
@recent_second_factor
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """GET: the set's status and the "generate" button; right after a POST, the new set,
    this once, with download and print. POST: a new set, then a redirect to it."""
    _require_enabled()
    user = request.user
    next_url = redirects.safe_next(request, request.POST.get("next") or request.GET.get("next"))
    context: dict[str, Any] = {"status": recovery.status(user), "next": next_url}
    here = reverse("tyntec2fa:recovery-codes")
    if request.method == "GET":
        return _codes_page(request, context, here)
    try:
        generated = recovery.generate(request, user)
    except StepUpRequired:  # the proof aged between the gate and the flow
        return redirects.redirect_with_next(reverse("tyntec2fa:step-up"), here)
    except Tyntec2FAError as error:
        return error_response(request, CODES_TEMPLATE, context, error)
    pad = session.keep_new_codes(request, generated.codes)
    response = redirects.redirect_with_next(f"{here}?new=1", next_url)
    response.set_cookie(
        PAD_COOKIE,
        pad,
        max_age=session.NEW_CODES_SECONDS,
        path=here,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _codes_page(request: HttpRequest, context: dict[str, Any], here: str) -> HttpResponse:
    """The page, with the new set if this GET is the one that shows it; after that one
    (a reload, Back then Forward) "already shown" where the set was."""
    codes = session.take_new_codes(request, request.COOKIES.get(PAD_COOKIE))
    if codes:
        context.update(codes=codes, download_url=_download_url(codes))
    elif request.GET.get("new"):
        context["already_shown"] = True
    response = TemplateResponse(request, CODES_TEMPLATE, context)
    if PAD_COOKIE in request.COOKIES:
        response.delete_cookie(PAD_COOKIE, path=here, samesite="Lax")
    return response


def _download_url(codes: list[str]) -> str:
    """A ``data:`` URL of the codes as a text file: downloaded without JavaScript and
    without another request, so the codes are never served twice."""
    heading = gettext("Recovery codes. Each code works once.")
    text = "\r\n".join([heading, "", *codes, ""])
    return "data:text/plain;charset=utf-8," + urllib.parse.quote(text)
