"""Recovery codes: their status, a new set, and a login completed with one (issue 11).

Each view calls the flow its HTML twin in ``views/recovery.py`` calls
(``flows.recovery``). A new set is in the answer to the POST that generated it and in
no other answer; ``challenge/recover/`` answers exactly as ``challenge/verify/`` does.
"""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from ...flows import recovery, trust
from .. import openapi, transport
from ..permissions import IsSecondFactorVerified
from ..serializers import LoginCodeSerializer, RecoveryCodesSerializer, RecoveryStatusSerializer
from .base import ApiView, require_issuer, signed_in, validated
from .challenge import PendingLoginView, _login


class RecoveryCodesView(ApiView):
    """The signed-in user's recovery codes: ``GET`` the status, ``POST`` a new set,
    which needs a recent second factor (E3, S10): the flow decides
    (``flows.sensitive.require_fresh``), 403 ``step_up_required``."""

    permission_classes = [IsSecondFactorVerified]

    @openapi.recovery_status
    def get(self, request: Request) -> Response:
        """``flows.recovery.status``: never a code."""
        recovery.require_enabled()
        return Response(RecoveryStatusSerializer(recovery.status(request.user)).data)

    @openapi.recovery_generate
    def post(self, request: Request) -> Response:
        """``flows.recovery.generate``: the old set stops working."""
        generated = recovery.generate(request._request, request.user)
        status = generated.status
        answer = {
            "codes": generated.codes,
            "remaining": status.remaining,
            "generated_at": status.generated_at,
        }
        return Response(RecoveryCodesSerializer(answer).data)


class ChallengeRecoverView(PendingLoginView):
    """A recovery code instead of the phone's code: the login completes as with
    ``challenge/verify/`` (a new session key, S3; an API token when asked for or for an
    app), and the code is used up."""

    @openapi.challenge_recover
    def post(self, request: Request) -> Response:
        """``flows.recovery.recover_login``; the token only after it succeeded."""
        found = _login(request)
        data = validated(LoginCodeSerializer, request)
        http = request._request
        app = transport.is_app_mode(http)
        want_token = data["token"] or app
        require_issuer(want_token)
        # "remember": a cookie client's browser (S9); an app keeps no cookie.
        remember = data["remember"] and not app
        done = recovery.recover_login(http, data["code"], found=found, remember=remember)
        answer = Response(signed_in(request, done.user, want_token=want_token))
        return trust.update_cookie(http, answer)
