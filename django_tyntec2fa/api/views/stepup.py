"""Step-up: a signed-in user confirms a fresh code before a sensitive action (S10, E3).

``flows.step_up`` renews the proof: a session's (with a new session key, S3), or the
API token's for a token client, whose token is its only state.
"""

from __future__ import annotations

import datetime as dt

from rest_framework.request import Request
from rest_framework.response import Response

from ... import flows
from ...models import Challenge
from .. import openapi
from ..permissions import second_factor_at
from ..serializers import ChallengeSerializer, SendSerializer, StepUpCodeSerializer
from .base import ApiView, language, uses_token, validated

STEP_UP = Challenge.Purpose.STEP_UP


class StepUpSendView(ApiView):
    """A step-up code to the primary phone."""

    @openapi.step_up_send
    def post(self, request: Request) -> Response:
        """``flows.send_step_up_code`` with the channel and language asked for."""
        data = validated(SendSerializer, request)
        with language(data.get("language")):
            challenge = flows.send_step_up_code(request._request, channel=data.get("channel"))
        return Response({"challenge": ChallengeSerializer(challenge).data})


class StepUpVerifyView(ApiView):
    """The step-up code: the second factor is recent again."""

    @openapi.step_up_verify
    def post(self, request: Request) -> Response:
        """``flows.step_up`` (session) or ``flows.verify`` (token)."""
        code = validated(StepUpCodeSerializer, request)["code"]
        token_key = request.auth.key if uses_token(request) else None
        flows.step_up(request._request, code, user=request.user, token_key=token_key)
        at = second_factor_at(request) or 0.0
        verified_at = dt.datetime.fromtimestamp(at, tz=dt.UTC)
        return Response({"status": "verified", "verified_at": verified_at.isoformat()})
