"""Recovery codes through the flow (``flows/recovery.py``): the format and its entropy,
keyed hashes only (G4), generation behind a recent second factor (E3), a code that
completes a pending login like a phone code and is used up (E4, S3), wrong codes that
count like wrong phone codes (L2, L4), revocation."""

from __future__ import annotations

import math
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import override_settings

from django_tyntec2fa import flows, signals
from django_tyntec2fa.core import lockout, session
from django_tyntec2fa.exceptions import (
    AccountLocked,
    DeviceError,
    InvalidCode,
    LoginTimeout,
    RateLimited,
    RecoveryDisabled,
    StepUpRequired,
)
from django_tyntec2fa.flows import recovery
from django_tyntec2fa.models import AuditEvent, Challenge, FailureCounter, LocalOtp, RecoveryCode

from .conftest import password_step

pytestmark = pytest.mark.django_db
LOGIN = Challenge.Purpose.LOGIN


@pytest.fixture
def caught() -> Any:
    """The recovery signals sent during the test, as (name, kwargs)."""
    seen: list[tuple[str, dict[str, Any]]] = []
    receivers = {}
    for name in ("recovery_codes_generated", "recovery_code_used", "recovery_codes_revoked"):

        def receive(name: str = name, **kwargs: Any) -> None:
            seen.append((name, kwargs))

        receivers[name] = receive
        getattr(signals, name).connect(receive)
    yield seen
    for name, receive in receivers.items():
        getattr(signals, name).disconnect(receive)


def generated(user: Any, make_request: Any) -> list[str]:
    return recovery.generate(make_request(user, verified=True), user).codes


# --- The format --------------------------------------------------------------------------


def test_a_code_has_at_least_50_bits_from_an_alphabet_without_look_alikes_e4(
    user, device, make_request
) -> None:
    codes = generated(user, make_request)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert recovery.LENGTH * math.log2(len(recovery.ALPHABET)) >= 50
    assert len(set(recovery.ALPHABET)) == 32
    assert not set("ilou") & set(recovery.ALPHABET)
    for code in codes:
        groups = code.split("-")
        assert [len(group) for group in groups] == [4, 4, 4]
        assert set("".join(groups)) <= set(recovery.ALPHABET)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("k7qm-4xta-9rhe", "k7qm4xta9rhe"),
        ("K7QM4XTA9RHE", "k7qm4xta9rhe"),
        ("  k7qm 4xta\t9rhe ", "k7qm4xta9rhe"),
        ("k7qm--4xta-9rhe", "k7qm4xta9rhe"),
        ("k7qm-4xta-9rh", None),  # too short
        ("k7qm-4xta-9rhee", None),  # too long
        ("k7qm-4xta-9rhi", None),  # i is a look-alike, never in a code
        ("k7qm_4xta_9rhe", None),
        ("ｋ7qm-4xta-9rhe", None),  # fullwidth
        ("k7qm-4xta-9rhe" + " " * 60, None),  # longer than MAX_INPUT
        (None, None),
        (123456789012, None),
    ],
)
def test_normalisation_accepts_case_spaces_and_dashes_only(typed: Any, expected: Any) -> None:
    assert recovery.normalize(typed) == expected


# --- Generation ----------------------------------------------------------------------------


def test_only_keyed_hashes_are_stored_g4(user, device, make_request, settings) -> None:
    codes = generated(user, make_request)
    digests = set(RecoveryCode.objects.filter(user=user).values_list("digest", flat=True))
    assert len(digests) == 10
    for code in codes:
        plain = code.replace("-", "")
        assert all(plain not in digest and code not in digest for digest in digests)
    # Keyed: another SECRET_KEY gives other hashes for the same codes.
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    again = {recovery._digest(user, code.replace("-", "")) for code in codes}
    assert not again & digests


def test_generating_replaces_the_old_set_and_signals(user, device, make_request, caught) -> None:
    first = generated(user, make_request)
    second = generated(user, make_request)
    assert not set(first) & set(second)
    assert RecoveryCode.objects.filter(user=user).count() == 10
    request = password_step_request(user, make_request)
    with pytest.raises(InvalidCode):
        recovery.recover_login(request, first[0])
    assert [name for name, _kwargs in caught] == ["recovery_codes_generated"] * 2
    assert caught[0][1]["count"] == 10 and caught[0][1]["user"] == user
    events = AuditEvent.objects.filter(kind=AuditEvent.Kind.RECOVERY_GENERATED, user=user)
    assert events.count() == 2
    assert all(code not in event.detail for event in events for code in first + second)


@override_settings(TYNTEC2FA_RECOVERY_CODES=3)
def test_the_setting_gives_the_size_of_a_set(user, device, make_request) -> None:
    assert len(generated(user, make_request)) == 3


def test_generating_needs_a_recent_second_factor_e3(user, device, make_request) -> None:
    with pytest.raises(StepUpRequired):
        recovery.generate(make_request(user), user)  # signed in, no proof
    with pytest.raises(StepUpRequired):
        recovery.generate(None, user)
    request = make_request(user, verified=True)
    request.session[session.PROOF_KEY]["at"] -= 3600  # an hour-old second factor
    with pytest.raises(StepUpRequired):
        recovery.generate(request, user)
    assert not RecoveryCode.objects.exists()


def test_generating_needs_a_confirmed_phone(user, make_request) -> None:
    with pytest.raises(DeviceError):
        recovery.generate(make_request(user, verified=True), user)
    assert not RecoveryCode.objects.exists()


@override_settings(TYNTEC2FA_RECOVERY_CODES=0)
def test_feature_off_refuses_generation(user, device, make_request) -> None:
    with pytest.raises(RecoveryDisabled) as refused:
        recovery.generate(make_request(user, verified=True), user)
    assert refused.value.http_status == 404


def test_status_counts_unused_codes_and_warns_at_two(user, device, make_request) -> None:
    assert recovery.status(user) == recovery.RecoveryStatus(remaining=0, generated_at=None)
    assert not recovery.status(user).low  # never had a set: nothing to warn about
    codes = generated(user, make_request)
    found = recovery.status(user)
    assert found.remaining == 10 and found.generated_at is not None and not found.low
    RecoveryCode.objects.filter(user=user).exclude(
        pk__in=RecoveryCode.objects.filter(user=user).values("pk")[:2]
    ).update(used_at=found.generated_at)
    assert recovery.status(user).remaining == 2 and recovery.status(user).low
    assert len(codes) == 10


# --- Use at sign-in ------------------------------------------------------------------------


def password_step_request(user: Any, make_request: Any) -> Any:
    request = make_request()
    password_step(request, user)
    return request


def test_a_right_code_completes_the_login_like_a_phone_code_e4_s3(
    user, device, make_request, caught
) -> None:
    codes = generated(user, make_request)
    request = password_step_request(user, make_request)
    request.session.save()
    key_before = request.session.session_key
    assert flows.live_challenge(user, LOGIN) is not None
    done = recovery.recover_login(request, codes[3].upper().replace("-", " "))
    assert done.user == user and done.remaining == 9
    assert request.session[SESSION_KEY] == str(user.pk)
    assert session.is_verified(request) and session.is_recent(request)
    assert request.session.session_key != key_before  # S3
    assert session.get_pending(request) is None
    # The live phone code died with it, at the provider too.
    assert flows.live_challenge(user, LOGIN) is None
    assert Challenge.objects.get().status == Challenge.Status.CANCELLED
    assert not LocalOtp.objects.exists()
    assert caught[-1][0] == "recovery_code_used" and caught[-1][1]["remaining"] == 9
    used = AuditEvent.objects.get(kind=AuditEvent.Kind.RECOVERY_USED)
    assert used.detail == "9 left" and codes[3] not in used.detail


def test_a_code_is_used_up_e4(user, device, make_request) -> None:
    codes = generated(user, make_request)
    recovery.recover_login(password_step_request(user, make_request), codes[0])
    with pytest.raises(InvalidCode):
        recovery.recover_login(password_step_request(user, make_request), codes[0])
    assert recovery.status(user).remaining == 9


def test_a_code_survives_a_secret_key_rotation(user, device, make_request, settings) -> None:
    codes = generated(user, make_request)
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "the-new-secret-key-after-a-rotation-0123456789abcdef"
    settings.SECRET_KEY_FALLBACKS = [old]
    assert (
        recovery.recover_login(password_step_request(user, make_request), codes[1]).remaining == 9
    )


def test_another_users_code_is_wrong(user, other_user, device, make_request) -> None:
    from .conftest import OTHER_NUMBER, add_device

    add_device(other_user, OTHER_NUMBER)
    bobs = generated(other_user, make_request)
    generated(user, make_request)
    with pytest.raises(InvalidCode):
        recovery.recover_login(password_step_request(user, make_request), bobs[0])


@pytest.mark.parametrize("typed", ["k7qm-4xta-9rhe", "not a code", "", "1234567"])
def test_every_wrong_code_counts_toward_the_lock_l4(user, device, make_request, typed) -> None:
    generated(user, make_request)
    request = password_step_request(user, make_request)
    with pytest.raises(InvalidCode) as refused:
        recovery.recover_login(request, typed)
    assert refused.value.code == "invalid_code" and refused.value.http_status == 400
    assert FailureCounter.objects.get(user=user).failures == 1
    assert session.get_pending(request) is not None  # still pending, not signed in
    failed = AuditEvent.objects.get(kind=AuditEvent.Kind.RECOVERY_FAILED)
    assert failed.detail.startswith("invalid_code")


def test_a_right_code_resets_the_failure_counter_l3(user, device, make_request) -> None:
    codes = generated(user, make_request)
    request = password_step_request(user, make_request)
    with pytest.raises(InvalidCode):
        recovery.recover_login(request, "0000-0000-0000")
    recovery.recover_login(request, codes[0])
    assert FailureCounter.objects.get(user=user).failures == 0


def test_wrong_codes_lock_the_account_and_a_locked_account_stays_locked_l2(
    user, device, make_request, settings
) -> None:
    settings.TYNTEC2FA_LOCKOUT_THRESHOLD = 3
    settings.TYNTEC2FA_BACKOFF_AFTER = 10
    codes = generated(user, make_request)
    request = password_step_request(user, make_request)
    for _try in range(3):
        with pytest.raises(InvalidCode):
            recovery.recover_login(request, "0000-0000-0000")
    assert FailureCounter.objects.get(user=user).locked
    with pytest.raises(AccountLocked):
        recovery.recover_login(request, codes[0])  # refused before the code is looked at
    assert recovery.status(user).remaining == 10
    assert FailureCounter.objects.get(user=user).failures == 3  # not counted again
    assert session.get_pending(request) is not None


def test_a_phone_codes_failures_and_recovery_failures_share_the_counter_l4(
    user, device, make_request, last_code
) -> None:
    generated(user, make_request)
    request = password_step_request(user, make_request)
    with pytest.raises(InvalidCode):
        flows.verify_login(request, "000000" if last_code() != "000000" else "111111")
    with pytest.raises(InvalidCode):
        recovery.recover_login(request, "zzzz-zzzz-zzzz")
    assert FailureCounter.objects.get(user=user).failures == 2


def test_the_verify_rate_limits_count_recovery_codes_too(
    user, device, make_request, limits_on
) -> None:
    limits_on.TYNTEC2FA_VERIFY_RATE_USER = "2/m"
    limits_on.TYNTEC2FA_LOCKOUT_THRESHOLD = 100
    limits_on.TYNTEC2FA_BACKOFF_AFTER = 100
    codes = generated(user, make_request)
    request = password_step_request(user, make_request)
    for _try in range(2):
        with pytest.raises(InvalidCode):
            recovery.recover_login(request, "0000-0000-0000")
    with pytest.raises(RateLimited) as limited:
        recovery.recover_login(request, codes[0])
    assert limited.value.retry_after
    assert recovery.status(user).remaining == 10


def test_without_a_pending_login_nothing_is_used(user, device, make_request) -> None:
    codes = generated(user, make_request)
    with pytest.raises(LoginTimeout):
        recovery.recover_login(make_request(), codes[0])
    assert recovery.status(user).remaining == 10


def test_feature_off_refuses_even_a_code_generated_before(
    user, device, make_request, settings
) -> None:
    codes = generated(user, make_request)
    settings.TYNTEC2FA_RECOVERY_CODES = 0
    with pytest.raises(RecoveryDisabled):
        recovery.recover_login(password_step_request(user, make_request), codes[0])
    assert recovery.status(user).remaining == 10


def test_a_wrong_recovery_code_carries_the_tries_before_the_wait_l2(
    user, device, make_request, settings
) -> None:
    """The refusal says what the user may do next (``lockout.standing``): the tries
    before the account waits, then the wait, with the field's answer from the core."""
    settings.TYNTEC2FA_BACKOFF_AFTER = 3
    generated(user, make_request)
    request = password_step_request(user, make_request)
    assert lockout.standing(user, per_code=False).tries_left == 3
    for left in (2, 1):
        with pytest.raises(InvalidCode) as refused:
            recovery.recover_login(request, "0000-0000-0000")
        assert refused.value.standing.tries_left == left
    with pytest.raises(InvalidCode) as refused:
        recovery.recover_login(request, "0000-0000-0000")
    standing = refused.value.standing
    assert standing.tries_left == 0 and standing.retry_after == 30 and not standing.locked
    with pytest.raises(AccountLocked) as locked:
        recovery.recover_login(request, "0000-0000-0000")
    assert locked.value.standing.retry_after == 30


# --- Revocation ------------------------------------------------------------------------------


def test_revoke_removes_the_set_audits_and_signals(user, device, make_request, caught) -> None:
    codes = generated(user, make_request)
    recovery.recover_login(password_step_request(user, make_request), codes[0])
    assert recovery.revoke(user, actor="support") == 9
    assert not RecoveryCode.objects.filter(user=user).exists()
    assert caught[-1][0] == "recovery_codes_revoked" and caught[-1][1]["count"] == 9
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.RECOVERY_REVOKED)
    assert event.detail == "9 unused; by support"
    with pytest.raises(InvalidCode):
        recovery.recover_login(password_step_request(user, make_request), codes[1])
    # Nothing to revoke: no event, no signal.
    assert recovery.revoke(user) == 0
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.RECOVERY_REVOKED).count() == 1


def test_a_login_that_must_add_a_phone_first_cannot_recover(
    user, device, make_request, settings
) -> None:
    """Codes left from a phone since removed do not stand in for the phone the policy
    asks for: the pending "enroll" login must enroll."""
    codes = generated(user, make_request)
    device.delete()
    settings.TYNTEC2FA_REQUIRED = "django_tyntec2fa.core.policy.all_users"
    request = password_step_request(user, make_request)
    assert session.get_pending(request).enrolling
    with pytest.raises(DeviceError):
        recovery.recover_login(request, codes[0])
    assert recovery.status(user).remaining == 10
