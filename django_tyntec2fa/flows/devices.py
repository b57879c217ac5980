"""Phone devices: enroll a number, confirm it with a code, remove it, make it primary.

Binding a number is binding an authenticator (E1, E2): a number is usable for sign-in
only after a code sent to it was verified (``confirm``), and a user who already has a
confirmed phone can add, remove or choose phones only from a session that passed the
second factor recently (``flows.sensitive.require_fresh``: E2, E3, S10). Every function accepts only the user's own devices; another user's
device id gets the same ``DeviceError`` as an unknown one (IDOR, CVE-2020-5240).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import SESSION_KEY
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .. import signals
from ..abuse import guard
from ..abuse.phone import normalize_number
from ..choices import Channel
from ..core import audit, session
from ..exceptions import DeviceError, ProviderError
from ..models import AuditEvent, Challenge, PhoneDevice
from .challenge import cancel_where, start
from .common import audited, renew_token_proof
from .sensitive import Sensitive, require_fresh
from .verify import verify

Purpose = Challenge.Purpose


def enroll(
    request: HttpRequest | None,
    user: Any,
    *,
    number: str,
    label: str = "",
    channel: str = Channel.SMS,
) -> Challenge:
    """Add ``number`` as an unconfirmed phone (or reuse the unconfirmed one) and send
    it an enrollment code by SMS (P8); ``channel`` is the preference for later codes.

    A number another account has confirmed gets the same answer as any other (U1,
    issue 23.1): the phone is stored, the same defences run and count, and a challenge
    is returned, but nothing is sent (its owner did not ask for a text) and no code
    confirms it (``start``'s phantom). An enrollment send to a number waits for the
    number's cooldown, whoever sent the last one (issue 23.2).

    Raises ``DeviceError`` (invalid number, already confirmed for this user, unknown
    channel, or the user already has a phone and this session has no recent second
    factor: E2), ``DestinationRefused`` (a country or number type that never gets a
    code, P1/P2), ``ResendNotAllowed`` (the number's cooldown, with ``retry_after``)
    and whatever ``start`` raises.
    """
    number = normalize_number(number)
    if channel not in Channel.values:
        raise DeviceError("unknown channel", message=_("This delivery channel is not available."))
    require_fresh(request, user, Sensitive.ADD_PHONE)
    # P1, P2: a number that may never get a code is refused before it is stored.
    with audited(
        request, user, device=guard.unsaved_device(user, number, channel), action="enroll"
    ):
        guard.check_enrollment(number, channel)
    phantom = _someone_elses(user, number)
    device, created = PhoneDevice.objects.get_or_create(
        user_id=user.pk, number=number, defaults={"label": label[:64], "channel": channel}
    )
    if device.confirmed:
        raise DeviceError(
            "number already confirmed", message=_("This phone number is already registered.")
        )
    if not created:
        device.label, device.channel = label[:64], channel
        device.save(update_fields=["label", "channel"])
    else:
        audit.record(AuditEvent.Kind.DEVICE_ADDED, request=request, user=user, device=device)
    claim = guard.claim_enrollment_send(number)
    try:
        return start(request, user, purpose=Purpose.ENROLL, device=device, phantom=phantom)
    except BaseException:
        claim.release()  # nothing went out: the cooldown is not spent
        raise


def _someone_elses(user: Any, number: str) -> bool:
    """Has another account confirmed ``number``? Then its owner gets no text, and the
    enrolling user a challenge that no code confirms (issue 23.1)."""
    return (
        PhoneDevice.objects.filter(number=number, confirmed=True).exclude(user_id=user.pk).exists()
    )


def _refuse_taken(user: Any, number: str) -> None:
    """Refuse to confirm ``number`` for ``user`` while another account has it (23.8).

    Only reached with a right code: both accounts enrolled the number before either
    confirmed it, and whoever holds the phone answered both. The database keeps one
    confirmed phone per number (``tyntec2fa_device_one_owner``); this check gives the
    usual case its message."""
    if _someone_elses(user, number):
        raise _taken()


def _taken() -> DeviceError:
    return DeviceError(
        "number confirmed by another account",
        message=_("This phone number is already registered."),
    )


def confirm(
    request: HttpRequest | None, user: Any, *, code: Any, token_key: str | None = None
) -> PhoneDevice:
    """Verify the enrollment code; the phone becomes confirmed (primary when the user
    has none) and ``device_added`` is sent.

    A code to the new phone is a fresh second factor. The session: a pending "enroll"
    login of this user is completed (the user is signed in, new session key); a
    signed-in user's session is marked verified with a new session key (S3). An API
    token client (``token_key``) has its token's proof renewed. Raises what ``verify``
    raises, and ``DeviceError`` when another account confirmed the number first
    (one account per number, enforced by the database: issue 23.8).
    """
    challenge = verify(request, user, purpose=Purpose.ENROLL, code=code)
    with transaction.atomic():
        devices = list(PhoneDevice.objects.select_for_update().filter(user_id=user.pk))
        device = _own(devices, challenge.device_id)
        _refuse_taken(user, device.number)
        device.confirmed = True
        device.is_primary = not any(d.is_primary for d in devices if d.pk != device.pk)
        try:
            with transaction.atomic():
                device.save(update_fields=["confirmed", "is_primary"])
        except IntegrityError:
            # A parallel confirmation of the number by another account won (23.8).
            raise _taken() from None
    audit.record(AuditEvent.Kind.DEVICE_CONFIRMED, request=request, user=user, device=device)
    signals.device_added.send(sender=type(user), request=request, user=user, device=device)
    if token_key is not None:
        renew_token_proof(request, user, token_key)
    elif request is not None and getattr(request, "session", None) is not None:
        _elevate(request, user)
    return device


def remove(request: HttpRequest | None, user: Any, device_pk: Any) -> None:
    """Remove one of the user's phones; another becomes primary if needed.

    Raises ``DeviceError`` for an unknown or someone else's device (IDOR), and
    ``StepUpRequired`` for any phone of an account with a confirmed one unless this
    session passed the second factor recently (E3, ``Sensitive.REMOVE_PHONE``).
    What a removal does is ``_remove``'s: the operators' removal
    (``flows.support.remove_device``) is the same one without these two checks.
    """
    _remove(request, user, device_pk, operator=None)


def _remove(
    request: HttpRequest | None,
    user: Any,
    device_pk: Any,
    *,
    operator: str | None,
    failed: dict[int, ProviderError] | None = None,
) -> int:
    """The one phone removal, the user's and the operators' (``operator``: who, for the
    audit trail; None is the user, who gets the E3 check). Returns the number of
    challenges cancelled; ``failed`` collects the provider's refusals to delete their
    codes (see ``cancel_where``).

    The phone's live challenges are cancelled, at the provider too (S11), so their
    codes complete nothing any more, a pending login waiting for one included. The
    challenges themselves stay as records (their device becomes empty), like the
    audit trail. Another confirmed phone becomes primary; ``device_removed`` is sent.
    """
    with transaction.atomic():
        devices = list(PhoneDevice.objects.select_for_update().filter(user_id=user.pk))
        device = _own(devices, device_pk)
        others = [d for d in devices if d.confirmed and d.pk != device.pk]
        if operator is None:
            require_fresh(request, user, Sensitive.REMOVE_PHONE)
        pk = device.pk
        detail = f"device {pk}" if operator is None else f"device {pk} removed by {operator}"
        cancelled = cancel_where(
            request, device_id=pk, detail="" if operator is None else detail, failed=failed
        )
        device.delete()  # its challenges stay, without their phone (SET_NULL)
        if device.is_primary and others:
            others[0].is_primary = True
            others[0].save(update_fields=["is_primary"])
    audit.record(
        AuditEvent.Kind.DEVICE_REMOVED, request=request, user=user, device=device, detail=detail
    )
    signals.device_removed.send(sender=type(user), request=request, user=user, device=device)
    return cancelled


def make_primary(request: HttpRequest | None, user: Any, device_pk: Any) -> PhoneDevice:
    """Make one of the user's confirmed phones the primary one (login codes go there).

    Raises ``DeviceError`` for an unknown, someone else's or unconfirmed device, and
    ``StepUpRequired`` without a recent second factor (E2: it moves where login codes
    go; ``Sensitive.MAKE_PRIMARY``).
    """
    with transaction.atomic():
        devices = list(PhoneDevice.objects.select_for_update().filter(user_id=user.pk))
        device = _own(devices, device_pk)
        require_fresh(request, user, Sensitive.MAKE_PRIMARY)
        if not device.confirmed:
            raise DeviceError("device not confirmed", message=_("This phone is not confirmed yet."))
        if not device.is_primary:
            # The old primary first: the database allows one primary per user.
            PhoneDevice.objects.filter(user_id=user.pk, is_primary=True).update(is_primary=False)
            device.is_primary = True
            device.save(update_fields=["is_primary"])
    audit.record(AuditEvent.Kind.DEVICE_PRIMARY, request=request, user=user, device=device)
    return device


def _own(devices: list[PhoneDevice], device_pk: Any) -> PhoneDevice:
    for device in devices:
        if str(device.pk) == str(device_pk):
            return device
    raise DeviceError("unknown device", message=_("This phone was not found."))


def _elevate(request: HttpRequest, user: Any) -> None:
    pending = session.get_pending(request)
    if pending is not None and pending.user_pk == str(user.pk) and pending.enrolling:
        session.complete_login(request, user, pending)
    elif request.session.get(SESSION_KEY) == str(user.pk):
        # A login in this session only: an API token client has none (its token's
        # proof is renewed by the API layer).
        session.rotate_key(request)
        session.mark_verified(request)
