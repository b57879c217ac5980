"""The login flow: begin_login (S1, S4, P5), verify_login (S2, S3), abort (S11),
step-up (S3, S10)."""

from __future__ import annotations

import datetime as dt
import time
from unittest import mock

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY

from django_tyntec2fa import flows
from django_tyntec2fa.core import session
from django_tyntec2fa.exceptions import InvalidCode, LoginTimeout, ProviderUnavailable
from django_tyntec2fa.models import AuditEvent, Challenge, LocalOtp
from django_tyntec2fa.providers import get_provider

from ..steps import wrong_code
from .conftest import OTHER_NUMBER, add_device, password_step

pytestmark = pytest.mark.django_db
LOGIN = Challenge.Purpose.LOGIN


def test_begin_login_makes_the_session_pending_and_sends_on_post_s1(
    user, device, make_request, outbox
) -> None:
    request = make_request()
    password_step(request, user)
    assert SESSION_KEY not in request.session
    assert request.user.is_anonymous
    assert session.get_pending(request).purpose == "login"
    assert [delivery.number for delivery in outbox] == [device.number]
    assert flows.live_challenge(user, LOGIN) is not None


def test_begin_login_on_get_sends_nothing_p5(user, device, make_request, outbox) -> None:
    request = make_request(method="get")
    password_step(request, user)
    assert session.get_pending(request) is not None
    assert outbox == []


def test_begin_login_without_a_phone_but_required_goes_to_enrollment(
    user, make_request, outbox, settings
) -> None:
    settings.TYNTEC2FA_REQUIRED = "django_tyntec2fa.core.policy.all_users"
    request = make_request()
    password_step(request, user)
    assert session.get_pending(request).purpose == "enroll"
    assert outbox == []


def test_begin_login_swallows_a_provider_error(user, device, make_request) -> None:
    """Sending fails inside auth.login(): logged and audited, not raised; the session
    is still pending (fail closed) and the page can send again."""
    broken = mock.Mock(side_effect=ProviderUnavailable("send: timeout"))
    request = make_request()
    with mock.patch.object(get_provider(), "send", broken):
        password_step(request, user)
    assert session.get_pending(request) is not None
    assert SESSION_KEY not in request.session
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PROVIDER_ERROR).count() == 1
    flows.send_login_code(request)
    assert flows.live_challenge(user, LOGIN) is not None


def test_verify_login_signs_in_with_a_new_session_key_s3(
    user, device, make_request, last_code
) -> None:
    request = make_request()
    request.session.save()
    keys = [request.session.session_key]
    password_step(request, user)
    keys.append(request.session.session_key)
    with pytest.raises(InvalidCode):
        flows.verify_login(request, wrong_code(last_code()))
    assert SESSION_KEY not in request.session
    assert flows.verify_login(request, last_code()) == user
    assert request.session[SESSION_KEY] == str(user.pk)
    assert session.is_verified(request)
    assert request.session.session_key not in keys


def test_verify_login_without_a_pending_login_s2(user, device, make_request) -> None:
    with pytest.raises(LoginTimeout):
        flows.verify_login(make_request(), "123456")
    for send in (flows.send_login_code, flows.resend_login_code):
        with pytest.raises(LoginTimeout):
            send(make_request())


def test_the_pending_login_times_out_s2(user, device, make_request, last_code) -> None:
    request = make_request()
    password_step(request, user)
    with time_machine.travel(time.time() + 601):
        with pytest.raises(LoginTimeout):
            flows.verify_login(request, last_code())
    assert session.get_pending(request) is None


def test_a_second_user_in_the_same_browser_discards_the_first_s4(
    user, other_user, device, make_request, outbox
) -> None:
    """S4: A's password step, then B's in the same session: A's challenge is
    cancelled, A's code is refused, and B's challenge is the only one live."""
    add_device(other_user, OTHER_NUMBER)
    request = make_request()
    password_step(request, user)
    alice_code = outbox[-1].code
    password_step(request, other_user)
    assert outbox[-1].code != alice_code
    assert flows.live_challenge(user, LOGIN) is None
    with pytest.raises(InvalidCode):
        flows.verify_login(request, alice_code)
    assert list(Challenge.objects.filter(status="pending").values_list("user", flat=True)) == [
        other_user.pk
    ]
    assert flows.verify_login(request, outbox[-1].code) == other_user


def test_abort_login_wipes_the_state_and_cancels_the_code_s11(
    user, device, make_request, last_code
) -> None:
    request = make_request()
    password_step(request, user)
    flows.abort_login(request)
    assert session.get_pending(request) is None
    assert flows.live_challenge(user, LOGIN) is None
    assert not LocalOtp.objects.exists()
    with pytest.raises(LoginTimeout):
        flows.verify_login(request, last_code())
    flows.abort_login(request)  # nothing pending: nothing happens


def test_resend_login_code_by_voice(user, device, make_request, outbox) -> None:
    request = make_request()
    t0 = dt.datetime.now(dt.UTC)
    with time_machine.travel(t0, tick=False):
        password_step(request, user)
    with time_machine.travel(t0 + dt.timedelta(seconds=31), tick=False):
        flows.resend_login_code(request, channel="VOICE")
        assert outbox[-1].channel == "VOICE"
        assert flows.verify_login(request, outbox[-1].code) == user


def test_step_up_rotates_the_key_and_refreshes_the_proof_s3_s10(
    user, device, make_request, last_code
) -> None:
    request = make_request(user)
    with time_machine.travel(time.time() - 3600):
        session.mark_verified(request)
    assert not session.is_recent(request)
    request.session.save()
    key = request.session.session_key
    flows.send_step_up_code(request)
    flows.step_up(request, last_code())
    assert session.is_recent(request)
    assert request.session.session_key != key


def test_step_up_needs_a_signed_in_user(make_request) -> None:
    with pytest.raises(LoginTimeout):
        flows.step_up(make_request(), "123456")
    with pytest.raises(LoginTimeout):
        flows.send_step_up_code(make_request())
