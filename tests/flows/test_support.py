"""The support desk's flows (``flows.support``): an operator removes a phone the way its
user would, without the user's checks; cancels challenges; lifts destination blocks.
The admin and the commands are tested through their pages in tests/admin and
tests/commands; here the rules themselves."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from django_tyntec2fa import flows, signals
from django_tyntec2fa.abuse import conversion
from django_tyntec2fa.exceptions import ChallengeExpired, OtpNotFound, ProviderUnavailable
from django_tyntec2fa.flows import common, support
from django_tyntec2fa.models import (
    AuditEvent,
    Challenge,
    DestinationBlock,
    LocalOtp,
    PhoneDevice,
    Scope,
)

from .conftest import OTHER_NUMBER, add_device, password_step
from .helpers import received

pytestmark = pytest.mark.django_db
LOGIN = Challenge.Purpose.LOGIN


def test_an_operator_removes_the_last_phone_and_its_login_code_dies_s11(
    user, device, make_request, last_code
) -> None:
    """No recent second factor needed (the user lost the phone): the code of the login
    waiting for it is cancelled here and at the provider, so it completes nothing."""
    browser = make_request()
    password_step(browser, user)
    code = last_code()
    live = flows.live_challenge(user, LOGIN)
    assert live is not None
    with received(signals.device_removed) as removed:
        cancelled = support.remove_device(None, device)
    assert cancelled is not None and cancelled.count == 1 and not cancelled.provider_errors
    assert len(removed) == 1 and not PhoneDevice.objects.exists()
    assert not LocalOtp.objects.filter(otp_id=live.provider_otp_id).exists()
    with pytest.raises(ChallengeExpired):
        flows.verify_login(browser, code)
    assert browser.user.is_anonymous
    live.refresh_from_db()
    assert (live.status, live.device_id) == (Challenge.Status.CANCELLED, None)
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.DEVICE_REMOVED)
    assert event.detail == f"device {device.pk} removed by an operator"


def test_the_operator_is_named_in_the_audit_trail(user, device, make_request) -> None:
    desk = make_request()
    desk.user = type(user).objects.create_user("desk", is_staff=True)
    flows.start(make_request(user), user, purpose=LOGIN)
    support.remove_device(desk, device)
    details = set(AuditEvent.objects.values_list("kind", "detail"))
    assert (AuditEvent.Kind.DEVICE_REMOVED, f"device {device.pk} removed by desk") in details
    assert (AuditEvent.Kind.CHALLENGE_CANCELLED, f"device {device.pk} removed by desk") in details
    anonymous = make_request()
    anonymous.user = AnonymousUser()
    assert support.operator(anonymous) == support.operator(None) == "an operator"


def test_an_operator_removal_promotes_another_phone(user, device) -> None:
    backup = add_device(user, OTHER_NUMBER, is_primary=False)
    support.remove_device(None, device)
    backup.refresh_from_db()
    assert backup.is_primary


def test_a_phone_removed_meanwhile_is_nothing_to_do(user, device) -> None:
    stale = PhoneDevice.objects.get(pk=device.pk)
    support.remove_device(None, device)  # the first removal
    with received(signals.device_removed) as removed:
        assert support.remove_device(None, stale) is None
    assert removed == []
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DEVICE_REMOVED).count() == 1


def test_a_provider_that_keeps_a_code_is_reported_one_that_lost_it_is_not_r1(
    user, device, make_request
) -> None:
    first = flows.start(make_request(user), user, purpose=LOGIN)
    second = flows.start(make_request(user), user, purpose=Challenge.Purpose.STEP_UP)
    answers = {
        first.provider_otp_id: ProviderUnavailable("timeout"),
        second.provider_otp_id: OtpNotFound("gone"),
    }

    def refuse(otp_id: str) -> None:
        raise answers[otp_id]

    broken = mock.Mock()
    broken.delete.side_effect = refuse
    with mock.patch.object(common, "get_provider", return_value=broken):
        result = support.cancel_challenges(None, [first.pk, second.pk])
    assert result.count == 2
    assert list(result.provider_errors) == [first.pk]
    assert result.provider_errors[first.pk].code == "provider_unavailable"
    statuses = set(Challenge.objects.values_list("status", flat=True))
    assert statuses == {Challenge.Status.CANCELLED}


def test_cancelling_skips_finished_challenges(user, device, make_request) -> None:
    challenge = flows.start(make_request(user), user, purpose=LOGIN)
    Challenge.objects.filter(pk=challenge.pk).update(status=Challenge.Status.VERIFIED)
    with mock.patch.object(common, "get_provider") as provider:
        assert support.cancel_challenges(None, [challenge.pk]).count == 0
    provider.assert_not_called()


def test_a_challenge_whose_phone_went_without_the_flows_is_dead(
    user, device, make_request, last_code
) -> None:
    """A project deleting a phone row itself skips the cancellation: the challenge
    keeps no phone, and its code is refused all the same (fail closed)."""
    request = make_request(user)
    flows.start(request, user, purpose=LOGIN)
    PhoneDevice.objects.all().delete()
    live = Challenge.objects.get()
    assert live.status == Challenge.Status.PENDING and not live.is_live()
    with pytest.raises(ChallengeExpired):
        flows.verify(request, user, purpose=LOGIN, code=last_code())
    live.refresh_from_db()
    assert live.status == Challenge.Status.CANCELLED


# --- Destination blocks --------------------------------------------------------------------


def _block(**fields: Any) -> DestinationBlock:
    defaults = {"scope": Scope.COUNTRY, "value": "LV", "until": timezone.now() + dt.timedelta(1)}
    return DestinationBlock.objects.create(**{**defaults, **fields})


def test_lifting_ends_an_active_block_once_and_is_audited_p4() -> None:
    block = _block()
    assert conversion.end_block(block, by="desk")
    block.refresh_from_db()
    assert not block.is_active()
    assert not conversion.end_block(block, by="desk")  # already ended: nothing to do
    details = list(
        AuditEvent.objects.filter(kind=AuditEvent.Kind.CONVERSION_BLOCK).values_list(
            "detail", flat=True
        )
    )
    assert details == ["country LV lifted by desk"]


def test_moving_the_end_of_a_block_is_audited_p4() -> None:
    block = _block()
    later = timezone.now() + dt.timedelta(days=3)
    assert conversion.end_block(block, until=later)
    block.refresh_from_db()
    assert block.until == later
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.CONVERSION_BLOCK)
    assert event.detail.startswith("country LV set to end ")
    assert event.detail.endswith("by an operator")
