"""The user's phones: list, add (enrollment), confirm, make primary, remove.

Every action on one phone looks it up among the signed-in user's own phones first, so
another user's id is a 404 and changes nothing (IDOR, E2, CVE-2020-5240); the flows
check ownership again and own the rules (E1, E2, E3). Adding and confirming also serve
a pending login whose policy requires a phone first (``enrollment_required``).
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotAuthenticated, NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from ... import flows
from ...core import session
from ...exceptions import DeviceError, LoginTimeout, ProviderRejected, StepUpRequired
from ...gate.access import PendingAccess
from ...models import PhoneDevice
from .. import openapi, transport
from ..errors import field_error_response
from ..permissions import IsSecondFactorVerified, SecondFactorOrNotRequired
from ..serializers import ChallengeSerializer, CodeSerializer, DeviceSerializer, EnrollSerializer
from .base import ApiView, require_issuer, signed_in, uses_token, validated


def _own(request: Request, pk: int) -> PhoneDevice:
    try:
        return PhoneDevice.objects.get(user_id=request.user.pk, pk=pk)
    except PhoneDevice.DoesNotExist:
        raise NotFound() from None  # unknown and someone else's look the same


def _enrolling(request: Request) -> flows.Enrolling:
    """The user who may add a phone now (``flows.enrolling_user``), with their pending
    login if any. A signed-in client must hold a second factor (or need none)."""
    http = request._request
    if request.user.is_authenticated:
        SecondFactorOrNotRequired().has_permission(request, None)
    had_pending = session.has_pending_state(http) or transport.is_stale(http)
    try:
        return flows.enrolling_user(http, request.user)
    except LoginTimeout:
        if had_pending:
            raise
        raise NotAuthenticated() from None  # nobody signed in, no login under way


class DeviceListView(ApiView):
    """The user's phones, confirmed or not."""

    permission_classes = [SecondFactorOrNotRequired]

    @openapi.device_list
    def get(self, request: Request) -> Response:
        """Primary first."""
        devices = PhoneDevice.objects.filter(user_id=request.user.pk)
        return Response(DeviceSerializer(devices, many=True).data)


class DeviceDetailView(ApiView):
    """One of the user's phones; ``DELETE`` needs a recent second factor (E3, S10):
    the flow decides (``flows.sensitive.require_fresh``), 403 ``step_up_required``."""

    permission_classes = [SecondFactorOrNotRequired]

    @openapi.device_get
    def get(self, request: Request, pk: int) -> Response:
        """The phone, or 404."""
        return Response(DeviceSerializer(_own(request, pk)).data)

    @openapi.device_delete
    def delete(self, request: Request, pk: int) -> Response:
        """``flows.remove``; another phone becomes primary."""
        flows.remove(request._request, request.user, _own(request, pk).pk)
        return Response(status=204)


class UnknownDeviceView(ApiView):
    """An id that is not a number (``devices/abc/``): the API's 404 in its error shape,
    not the project's HTML page. No such URL exists, so it is not in the schema."""

    schema = None

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """404 ``not_found`` for whoever may see phones at all."""
        raise NotFound()

    post = delete = get


class DevicePrimaryView(ApiView):
    """Login codes go to this phone first; needs a recent second factor (E2): the flow
    decides, 403 ``step_up_required``."""

    permission_classes = [IsSecondFactorVerified]

    @openapi.device_primary
    def post(self, request: Request, pk: int) -> Response:
        """``flows.make_primary``."""
        device = flows.make_primary(request._request, request.user, _own(request, pk).pk)
        return Response(DeviceSerializer(device).data)


class DeviceAddView(ApiView):
    """A new phone number: an enrollment code goes to it by SMS (E1, P8)."""

    permission_classes = [AllowAny]
    pending_access = PendingAccess.STEP

    @openapi.device_add
    def post(self, request: Request) -> Response:
        """``flows.enroll``; a number it refuses is a 400 on ``number``."""
        user = _enrolling(request).user
        data = validated(EnrollSerializer, request)
        try:
            challenge = flows.enroll(
                request._request,
                user,
                number=data["number"],
                label=data["label"],
                channel=data["channel"],
            )
        except StepUpRequired:
            raise
        except (DeviceError, ProviderRejected) as error:
            return field_error_response("number", error.message)
        return Response({"challenge": ChallengeSerializer(challenge).data})


class DeviceConfirmView(ApiView):
    """The enrollment code: the phone is confirmed; a pending login is completed."""

    permission_classes = [AllowAny]
    pending_access = PendingAccess.STEP

    @openapi.device_confirm
    def post(self, request: Request) -> Response:
        """``flows.confirm``; a token only when this completes a login."""
        found = _enrolling(request)
        user, pending = found.user, found.pending
        data = validated(CodeSerializer, request)
        want_token = pending is not None and (
            data["token"] or transport.is_app_mode(request._request)
        )
        require_issuer(want_token)
        token_key = request.auth.key if uses_token(request) else None
        device = flows.confirm(request._request, user, code=data["code"], token_key=token_key)
        answer = {"device": DeviceSerializer(device).data}
        if pending is not None:
            token = signed_in(request, user, want_token=want_token)["token"]
            return Response({"status": "authenticated", "token": token, **answer})
        return Response({"status": "confirmed", "token": None, **answer})
