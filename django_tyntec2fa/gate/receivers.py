"""Receivers of Django's login and logout signals; ``apps.py`` connects them.

Every ``django.contrib.auth.login()`` (``LoginView``, the admin login, a third-party
view, ``client.force_login``) sends ``user_logged_in``, so this is the one place a
password login turns into a pending login (S1, S6a), whatever view did it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from .. import flows
from ..core import session


def on_user_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """A fresh login of a user who needs a second factor becomes a pending login.

    Any older pending login in this session is aborted first, whoever it belonged to:
    its challenge is cancelled and its state wiped (S4). The login made by
    ``session.complete_login`` itself is left alone (``session.COMPLETING_ATTR``).
    """
    if request is None or getattr(request, "session", None) is None:
        return
    if getattr(request, session.COMPLETING_ATTR, False):
        return
    try:
        if session.has_pending_state(request):
            flows.abort_login(request)
        session.forget_not_required(request)
        # What the login owes: decided here (flows.login.decide), or taken from the
        # session when views.LoginView's flows.password_login decided a moment ago.
        flows.owe_second_factor(request, user, sign_in=True)
    except BaseException:
        # login() has already written the user into the session; an error here must
        # not leave a logged-in session without its second factor (fail closed).
        request.session.flush()
        request.user = AnonymousUser()
        raise


def on_user_logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Logout wipes a pending login and cancels every live challenge (S11).

    Django sends the signal before it flushes the session, also for an anonymous
    user, so a pending login (whose user is anonymous) reaches this receiver.
    """
    if request is None or getattr(request, "session", None) is None:
        return
    if session.has_pending_state(request):
        flows.abort_login(request)
    if user is not None and getattr(user, "is_authenticated", False):
        # A step-up or an enrollment half done in this session dies with it.
        flows.end_challenges(request, user)
