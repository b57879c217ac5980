"""Sending codes: start a challenge, resend it, cancel it (S4, S11, P8, G6, L3).

``verify`` lives in ``flows/verify.py``. Every function takes the request first (for
the client IP, the audit trail and the rate limits; it may be ``None`` outside a
request) and never touches the session.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone, translation

from .. import signals
from ..abuse import guard
from ..conf import app_settings
from ..core import audit, lockout
from ..exceptions import (
    ChallengeExpired,
    DeviceError,
    OtpNotActive,
    OtpNotFound,
    ProviderError,
    RateLimited,
    SendRefused,
    Tyntec2FAError,
)
from ..models import AuditEvent, Challenge, PhoneDevice
from ..models.challenge import PHANTOM_OTP_ID
from ..models.rows import one_row
from ..providers import Channel, get_provider
from .common import audited, delete_at_provider
from .delivery import record_sent
from .rules import channel_for, check_resend, device_for

Purpose = Challenge.Purpose
Status = Challenge.Status
#: Attempts to store a new challenge when a parallel start of the same user and
#: purpose wins the "one live challenge" constraint first.
_STORE_TRIES = 3


def live_challenge(
    user: Any, purpose: str, *, devices: list[PhoneDevice] | None = None
) -> Challenge | None:
    """The user's pending, unexpired challenge for ``purpose`` (with its device), or None.

    ``devices``: the user's phones, already loaded (the code page has them); the
    challenge's device is taken from them instead of joined in, which costs the page
    less than the join. A device not among them is loaded when first used. No ORDER
    BY: the constraint ``tyntec2fa_challenge_one_live_per_purpose`` leaves one row at
    most, and the code page is on every login's path.
    """
    found = Challenge.objects.filter(
        user_id=user.pk, purpose=purpose, status=Status.PENDING, expires_at__gt=timezone.now()
    )
    if devices is None:
        found = found.select_related("device")
    live = one_row(found)
    if live is not None and devices is not None:
        for device in devices:
            if device.pk == live.device_id:
                live.device = device
                break
    return live


def start(
    request: HttpRequest | None,
    user: Any,
    *,
    purpose: str,
    device: PhoneDevice | None = None,
    channel: str | None = None,
    phantom: bool = False,
) -> Challenge:
    """Send a new code and return its challenge; an older live challenge of the same
    user and purpose is cancelled (S4).

    ``phantom`` (enrollment of a number another account has confirmed, issue 23.1):
    every defence runs and counts as for a real send, the challenge is stored as
    usual, but the provider is not asked: nothing is sent, the challenge has no OTP
    (``Challenge.is_phantom``) and no code can ever confirm it.

    ``device`` defaults to the user's primary confirmed phone; only a confirmed phone
    gets login or step-up codes (E1); an unconfirmed one (enrollment) only gets SMS (P8).
    Raises ``DeviceError`` (no usable device, someone else's device, voice to an
    unconfirmed number, unknown channel), ``AccountLocked``, ``RateLimited``, the cost
    defences' ``SendRefused`` family (``abuse/guard.py``) and the provider's
    ``ProviderError``s (fail closed, nothing is stored).
    """
    device = device_for(user, purpose, device)
    via = channel_for(device, channel, DeviceError)
    lockout.ensure_not_locked(user)
    now = timezone.now()
    with audited(request, user, device=device, action="send"):
        guard.check_send(request, user, device, via)  # P1-P4, E6: before any provider call
        otp_id = PHANTOM_OTP_ID if phantom else _send(device, via)
    challenge = Challenge(
        user_id=user.pk,
        device=device,
        purpose=purpose,
        provider_otp_id=otp_id,
        channel=via,
        max_attempts=app_settings.MAX_ATTEMPTS,
        created_at=now,
        last_sent_at=now,
        # The server clock decides expiry, whatever the provider says (G6).
        expires_at=now + dt.timedelta(seconds=app_settings.OTP_TTL),
    )
    for old in _store_replacing_live(challenge):
        delete_at_provider(old)
        audit.record(
            AuditEvent.Kind.CHALLENGE_CANCELLED, request=request, challenge=old, detail="replaced"
        )
    record_sent(challenge)  # the code page reads "sent" without asking the provider
    if phantom:
        # For the operators only; no code went out, so no challenge_sent (nothing to
        # count for conversion, nothing for the number's owner).
        audit.record(
            AuditEvent.Kind.DESTINATION_REFUSED,
            request=request,
            user=user,
            challenge=challenge,
            detail="enroll: number confirmed by another account, nothing sent",
        )
        return challenge
    audit.record(AuditEvent.Kind.CHALLENGE_SENT, request=request, user=user, challenge=challenge)
    signals.challenge_sent.send(
        sender=type(user), request=request, user=user, challenge=challenge, device=device
    )
    return challenge


def _send(device: PhoneDevice, via: str) -> str:
    """Ask the provider to send a new code to ``device``; its OTP id."""
    otp = get_provider().send(
        device.number,
        via=Channel(via),
        language=device.language or translation.get_language() or None,
        pin_length=app_settings.PIN_LENGTH,
    )
    return otp.otp_id


def resend(
    request: HttpRequest | None, user: Any, *, purpose: str, channel: str | None = None
) -> Challenge:
    """Send the live challenge's code again, optionally on another channel ("call me
    instead"). Expiry and attempts do not change, nor does the account's failure
    count (L3).

    Raises ``ChallengeExpired`` (no live challenge), ``ResendNotAllowed`` (cooldown
    ``RESEND_COOLDOWN`` with ``retry_after``, more than ``MAX_RESENDS``, voice to an
    unconfirmed number: P8), ``AccountLocked``, ``RateLimited``, ``SendRefused``,
    ``ProviderError``.
    """
    lockout.ensure_not_locked(user)
    refusal: Tyntec2FAError | None = None
    with transaction.atomic():
        # The row lock makes cooldown and resend count hold under parallel requests: the
        # resend is counted here, before the provider is asked, and given back if the
        # provider fails. The provider's call is outside the transaction (no row lock
        # or transaction waits for tyntec).
        challenge = (
            Challenge.objects.select_for_update(of=("self",))
            .select_related("device")
            .filter(user_id=user.pk, purpose=purpose, status=Status.PENDING)
            .first()
        )
        if challenge is None or not challenge.is_live():
            raise ChallengeExpired("no live challenge to resend")
        via = check_resend(challenge, channel)
        before = (challenge.resend_count, challenge.last_sent_at, challenge.channel)
        try:
            guard.check_send(request, user, challenge.device, via)
        except (RateLimited, SendRefused, ProviderError) as error:
            refusal = error
        else:
            challenge.resend_count += 1
            challenge.last_sent_at = timezone.now()
            challenge.channel = via
            challenge.save(update_fields=["resend_count", "last_sent_at", "channel"])
    if refusal is None and not challenge.is_phantom:
        try:
            get_provider().resend(challenge.provider_otp_id, via=Channel(via))
        except (OtpNotActive, OtpNotFound):
            # Final or unknown at the provider: the code can never be used again.
            _undo_resend(challenge, before, expired=True)
            refusal = ChallengeExpired("the provider's OTP is no longer active")
        except ProviderError as error:
            _undo_resend(challenge, before, expired=False)
            refusal = error
    if refusal is not None:
        # Audited after the transaction, which an exception raised inside would undo.
        with audited(request, user, challenge=challenge, action="resend"):
            raise refusal
    record_sent(challenge)
    audit.record(AuditEvent.Kind.CHALLENGE_RESENT, request=request, user=user, challenge=challenge)
    if challenge.is_phantom:
        return challenge  # nothing went out (``start``'s phantom)
    signals.challenge_sent.send(
        sender=type(user), request=request, user=user, challenge=challenge, device=challenge.device
    )
    return challenge


def _undo_resend(challenge: Challenge, before: tuple[Any, ...], *, expired: bool) -> None:
    """The provider did not resend: give the resend back (count, time, channel), unless
    another request changed the challenge since; a dead OTP ends the challenge."""
    resends, sent_at, channel = before
    Challenge.objects.filter(pk=challenge.pk, resend_count=challenge.resend_count).update(
        resend_count=resends, last_sent_at=sent_at, channel=channel
    )
    challenge.resend_count, challenge.last_sent_at, challenge.channel = resends, sent_at, channel
    if expired:
        challenge.status, challenge.finished_at = Status.EXPIRED, timezone.now()
        Challenge.objects.filter(pk=challenge.pk, status=Status.PENDING).update(
            status=challenge.status, finished_at=challenge.finished_at
        )


def send_code(
    request: HttpRequest | None,
    user: Any,
    *,
    purpose: str,
    device: PhoneDevice | None = None,
    channel: str | None = None,
) -> Challenge:
    """Which code to send when ``user`` asks for one: to another phone (``device``) a
    new code; else the live challenge's code again (its cooldown and resend limit
    apply); else a new code to the primary phone.

    Raises what ``start`` or ``resend`` raise.
    """
    if device is None and live_challenge(user, purpose) is not None:
        return resend(request, user, purpose=purpose, channel=channel)
    return start(request, user, purpose=purpose, device=device, channel=channel)


def cancel(request: HttpRequest | None, user: Any, *, purpose: str) -> None:
    """Cancel the user's live challenge for ``purpose`` and delete its OTP at the
    provider, best effort (S11). Does nothing when there is none; raises nothing but
    database errors."""
    cancel_where(request, user_id=user.pk, purpose=purpose)


def cancel_where(
    request: HttpRequest | None,
    *,
    detail: str = "",
    failed: dict[int, ProviderError] | None = None,
    **filters: Any,
) -> int:
    """Cancel every pending challenge matching ``filters``; returns how many.

    ``detail`` goes to each audit row (who cancelled, for an operator's action);
    ``failed``, when given, collects the provider's refusals to delete an OTP by
    challenge id (each is logged and audited anyway).
    """
    with transaction.atomic():
        rows = list(Challenge.objects.select_for_update().filter(status=Status.PENDING, **filters))
        Challenge.objects.filter(pk__in=[row.pk for row in rows]).update(
            status=Status.CANCELLED, finished_at=timezone.now()
        )
    for row in rows:
        row.status = Status.CANCELLED
        error = delete_at_provider(row)
        if error is not None and failed is not None:
            failed[row.pk] = error
        audit.record(
            AuditEvent.Kind.CHALLENGE_CANCELLED, request=request, challenge=row, detail=detail
        )
    return len(rows)


def _store_replacing_live(challenge: Challenge) -> list[Challenge]:
    """Save ``challenge``, cancelling the live one it replaces; returns the cancelled.

    The usual case, no live challenge, is one INSERT: the "one live challenge per user
    and purpose" constraint refuses it when there is one, and only then are the old
    ones row-locked and cancelled.

    The replacing starts of one user queue on the user's row. Without that queue, of
    many parallel starts (a user pressing "send" in several tabs, a script) each could
    lose to another's INSERT between its SELECT and its own INSERT: under PostgreSQL's
    READ COMMITTED the locked SELECT does not see a row committed after it began, and
    after ``_STORE_TRIES`` losses the constraint's IntegrityError was a 500 (seen once
    in ten parallel password steps of one user, on gunicorn with four workers). In the
    queue each start sees the challenge of the one before it and cancels it.
    """
    if _insert_alone(challenge):
        return []
    users = get_user_model()._default_manager
    tries = 0
    while True:  # bounded: _STORE_TRIES
        tries += 1
        try:
            with transaction.atomic():
                list(users.select_for_update().filter(pk=challenge.user_id).values_list("pk"))
                old = list(
                    Challenge.objects.select_for_update().filter(
                        user_id=challenge.user_id,
                        purpose=challenge.purpose,
                        status=Status.PENDING,
                    )
                )
                Challenge.objects.filter(pk__in=[row.pk for row in old]).update(
                    status=Status.CANCELLED, finished_at=timezone.now()
                )
                challenge.save(force_insert=True)
                return old
        except IntegrityError:
            # A parallel start stored its challenge between our select and insert.
            if tries >= _STORE_TRIES:
                delete_at_provider(challenge)
                raise


def _insert_alone(challenge: Challenge) -> bool:
    """INSERT ``challenge``; False when a live one of the same user and purpose exists.

    Inside a caller's transaction the INSERT gets a savepoint, so a refused one leaves
    that transaction usable; in autocommit a refused INSERT changes nothing.
    """
    try:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                challenge.save(force_insert=True)
        else:
            challenge.save(force_insert=True)
    except IntegrityError:
        challenge.pk = None
        return False
    return True
