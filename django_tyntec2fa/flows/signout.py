"""Sign out everywhere: what this app can end for a user at once.

Django keeps no list of a user's sessions (a session store may be the database, the
cache or signed cookies), so no app can end the other sessions of a user in general
short of changing what they are bound to: the password (Django's
``update_session_auth_hash`` keeps only the session that changed it). What this flow
ends instead is everything the app itself keeps for the user: every trusted browser
(S9), every API token proven by a second factor (their ``TokenProof``, and DRF's
tokens when ``rest_framework.authtoken`` is installed), and this session. docs/recovery.md
says so to the user's operator.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib import auth
from django.http import HttpRequest

from ..models import TokenProof
from . import trust

logger = logging.getLogger("django_tyntec2fa.flows")


@dataclass(frozen=True)
class SignedOut:
    """What ``sign_out_everywhere`` ended."""

    browsers: int
    tokens: int


def sign_out_everywhere(request: HttpRequest, user: Any) -> SignedOut:
    """Forget the user's trusted browsers, end their API tokens and log this session
    out (the ``user_logged_out`` receivers cancel live codes, S11). The trust cookie of
    this browser goes with the response (``trust.update_cookie``)."""
    browsers = trust.revoke(request, user, reason=trust.SIGNED_OUT_EVERYWHERE)
    tokens, _per_model = TokenProof.objects.filter(user_id=user.pk).delete()
    if apps.is_installed("rest_framework.authtoken"):
        token_model = apps.get_model("authtoken", "Token")
        token_model.objects.filter(user_id=user.pk).delete()
    logger.info(
        "User %s signed out everywhere: %s trusted browser(s), %s API token(s)",
        user.pk,
        browsers,
        tokens,
    )
    auth.logout(request)
    return SignedOut(browsers=browsers, tokens=tokens)
