"""Token authentication that accepts only tokens minted after the second factor (S6).

DRF's ``TokenAuthentication`` accepts any token of ``rest_framework.authtoken``, also
one from ``obtain_auth_token``, which asks for a password only (check W014 warns when
such a view is routed). ``SecondFactorTokenAuthentication`` accepts a token only when
the API minted it right after a verified code (``models.TokenProof``), for the same
user and the same password. It then records the time of that second factor on the
request (``session.set_request_proof``), so ``RecentSecondFactor`` and the device flows
(E2, E3) see it as they see a session's proof.

Use it in ``REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]`` instead of
``TokenAuthentication`` (check E015 reports the plain one).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.request import Request

from ..core import session
from ..exceptions import SecondFactorRequired
from ..models import TokenProof

AUTHTOKEN_APP = "rest_framework.authtoken"


class TokenWithoutSecondFactor(exceptions.AuthenticationFailed):
    """A valid DRF token that was not minted after the second factor: a 401
    ``second_factor_required`` in its own words. (Not an ``errors.ErrorFace``: DRF
    imports this module while ``rest_framework.views``, which that one needs, loads.)"""

    default_code = SecondFactorRequired.code
    default_detail = _("This token was not issued after a second factor.")


class SecondFactorTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>`` for keys the API minted after the second factor."""

    #: Read by system checks E015/W022: this class is known to enforce the second factor.
    tyntec2fa_second_factor = True

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        """The token's user, or None without a token header; ``AuthenticationFailed``
        (401) for an unknown token or one without a proof of the second factor."""
        if not apps.is_installed(AUTHTOKEN_APP):
            return None  # no tokens to check; never an ImportError for a stray header
        found = super().authenticate(request)
        if found is None:
            return None
        user, token = found
        proof = TokenProof.find(token.key, user)
        if proof is None:
            raise TokenWithoutSecondFactor()
        session.set_request_proof(request._request, user, proof.verified_at.timestamp())
        return user, token
