"""``LocalProvider``: tyntec's 2FA v1 semantics in the database, for development and tests.

It answers like tyntec (docs/providers.md, "The life of an OTP at tyntec"): an OTP starts ACTIVE with
``attempt_count`` 0; every check of an ACTIVE OTP counts one attempt (a right one
too); a right code makes it VERIFIED (tyntec 202), a wrong one is WRONG_CODE (401)
until the ``max_attempts``-th wrong code makes it TOO_MANY_ATTEMPTS (403); a check
at or after ``expires`` makes it EXPIRED (403) without looking at the code or
counting it; any check of a final OTP
is ALREADY_FINAL (410) and evaluates nothing. Expired means ``now >= expires``.

Messages go to the sink named by ``TYNTEC2FA_LOCAL_SINK`` instead of a phone, so the
provider refuses to start with ``DEBUG=False`` unless ``TYNTEC2FA_ALLOW_LOCAL_PROVIDER``
is set (R5; system check E007 says the same at start-up).

The one intended difference from tyntec: **resend sends a new code.** tyntec repeats
the same code, but this provider stores only a keyed HMAC of the code (G3), so it
cannot repeat it. It draws a new code, replaces the hash and delivers that, so only
one code is ever valid (G7). ``created``, ``expires`` and ``attempt_count`` stay.

Errors, as tyntec gives them: ``OtpNotFound`` (404) for an unknown id,
``OtpNotActive`` (resend 401) for a final OTP, and ``ProviderRejected`` (400) with
``provider_code``:

- ``"1006"`` (tyntec's code): ``pin_length`` outside 4-10;
- ``"LOCAL_INVALID_NUMBER"``: not ``+<digits>`` or ``00<digits>`` (7-15 digits,
  no leading 0), after removing spaces, ``-``, ``.``, ``/`` and brackets; tyntec
  documents no code for this 400, and its bare-digits and ``country`` forms are
  not accepted here;
- ``"LOCAL_INVALID_TEXT"``: ``text`` without ``{{OTP}}`` and no ``otp_code``,
  which would deliver no code;
- ``"LOCAL_INVALID_CODE"``: an empty ``otp_code``.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.module_loading import import_string

from ..conf import app_settings
from ..exceptions import OtpNotActive, OtpNotFound, ProviderRejected
from ..models import LocalOtp
from ..models.rows import one_row
from .base import (
    Channel,
    CheckOutcome,
    CheckResult,
    OtpEvent,
    OtpState,
    OtpStatus,
    Provider,
    mask_number,
)
from .local_text import OTP_PLACEHOLDER, render_text
from .sinks import Delivery

logger = logging.getLogger(__name__)

HASH_KEY_SALT = "django_tyntec2fa.local-otp"
PIN_LENGTH_RANGE = (4, 10)  # tyntec's error 1006
#: What ``TYNTEC2FA_LOCAL_DELIVERY`` may say about a delivery (``delivery_event``).
LOCAL_OUTCOMES = ("delivered", "failed", "unknown", "silent")
_LOCAL_TEXTS = {
    "delivered": "Delivered to {sink}",
    "failed": "Not delivered to {sink} (TYNTEC2FA_LOCAL_DELIVERY)",
    "unknown": "Handed to {sink}",
}
_SEPARATORS = re.compile(r"[\s\-./()]")
_NUMBER = re.compile(r"(?:\+|00)([1-9][0-9]{6,14})")


def generate_code(length: int) -> str:
    """A code drawn uniformly from the 10**length strings of ``length`` digits (G1)."""
    return f"{secrets.randbelow(10**length):0{length}d}"


def normalize_number(number: str) -> str:
    """``"0049 151 1234-5678"`` -> ``"+4915112345678"``; ``ProviderRejected`` otherwise."""
    match = _NUMBER.fullmatch(_SEPARATORS.sub("", number))
    if match is None:
        raise ProviderRejected(
            f"Invalid number format: {mask_number(number)}",
            provider_code="LOCAL_INVALID_NUMBER",
        )
    return "+" + match.group(1)


def hash_code(otp_id: uuid.UUID | str, code: str) -> str:
    """Keyed HMAC (SECRET_KEY) of the code as typed, bound to one OTP (G3)."""
    return salted_hmac(HASH_KEY_SALT, f"{otp_id}:{code}", algorithm="sha256").hexdigest()


class LocalProvider(Provider):
    """Stores OTPs in ``LocalOtp`` and delivers them to ``TYNTEC2FA_LOCAL_SINK``."""

    def __init__(self) -> None:
        if not settings.DEBUG and not app_settings.ALLOW_LOCAL_PROVIDER:
            raise ImproperlyConfigured(
                "The local provider does not send codes to phones; it refuses to run "
                "with DEBUG=False unless TYNTEC2FA_ALLOW_LOCAL_PROVIDER is True (R5)."
            )

    def send(
        self,
        number: str,
        *,
        via: Channel = Channel.AUTO,
        language: str | None = None,
        country: str | None = None,
        text: str | None = None,
        pin_length: int | None = None,
        otp_code: str | None = None,
        sender: str | None = None,
        caller: str | None = None,
        application_id: str | None = None,
        reference_id: str | None = None,
    ) -> OtpStatus:
        """Create an ACTIVE OTP and deliver it. ``country``, ``sender`` and ``caller``
        are accepted for interface parity and have no effect here."""
        number = normalize_number(number)
        length = app_settings.PIN_LENGTH if pin_length is None else int(pin_length)
        if not PIN_LENGTH_RANGE[0] <= length <= PIN_LENGTH_RANGE[1]:
            raise ProviderRejected(
                "PIN length must be between 4 and 10 digits.", provider_code="1006"
            )
        if otp_code is not None and not otp_code:
            raise ProviderRejected("otpCode is empty.", provider_code="LOCAL_INVALID_CODE")
        if text is not None and OTP_PLACEHOLDER not in text and otp_code is None:
            raise ProviderRejected(
                "text must contain {{OTP}} unless otpCode is given.",
                provider_code="LOCAL_INVALID_TEXT",
            )
        code = otp_code if otp_code is not None else generate_code(length)
        now = timezone.now()
        otp = LocalOtp(
            otp_id=uuid.uuid4(),
            number=number,
            pin_length=len(code) if otp_code is not None else length,
            max_attempts=app_settings.MAX_ATTEMPTS,
            created=now,
            expires=now + dt.timedelta(seconds=app_settings.OTP_TTL),
            application_id=application_id or app_settings.APPLICATION_ID or "",
            reference_id=reference_id or "",
            channel=_resolve(via),
            language=language or translation.get_language() or "en",
        )
        otp.code_hash = hash_code(otp.otp_id, code)
        # Delivered first, stored after: if the sink fails, no OTP exists that nobody
        # received, without a transaction around the two. The row goes in with its
        # delivery event (one INSERT). If the INSERT fails, the message names an OTP
        # that does not exist, which can never verify (fail closed).
        self._prepare(otp, code, text)()
        otp.save(force_insert=True)
        return _status(otp)

    def status(self, otp_id: str) -> OtpStatus:
        """The current status; an ACTIVE OTP past ``expires`` is stored as EXPIRED."""
        key = _parse(otp_id)
        LocalOtp.objects.filter(
            otp_id=key, status=LocalOtp.Status.ACTIVE, expires__lte=timezone.now()
        ).update(status=LocalOtp.Status.EXPIRED)
        return _status(_get(LocalOtp.objects.all(), key))

    def resend(
        self,
        otp_id: str,
        *,
        via: Channel = Channel.AUTO,
        sender: str | None = None,
        caller: str | None = None,
    ) -> OtpStatus:
        """Deliver a NEW code for an ACTIVE OTP (see the module docstring: G3, G7).

        The message uses the built-in template: a caller's own ``text`` from ``send``
        is not stored, since with ``otp_code`` it may hold the code itself (G3)."""
        key = _parse(otp_id)
        with transaction.atomic():
            otp = _get(LocalOtp.objects.select_for_update(), key)
            if _expire_if_due(otp):
                otp.save(update_fields=["status"])
            active = otp.status == LocalOtp.Status.ACTIVE
            if active:
                code = generate_code(otp.pin_length)
                otp.code_hash = hash_code(otp.otp_id, code)
                otp.channel = _resolve(via)
                self._prepare(otp, code, None)()
                otp.save(update_fields=["code_hash", "channel", "events"])
        if not active:
            raise OtpNotActive(f"OTP {otp.otp_id} is {otp.status}: OTP is not valid anymore")
        return _status(otp)

    def check(self, otp_id: str, code: str) -> CheckResult:
        """Check ``code`` under a row lock, so parallel checks count one by one (L4)."""
        key = _parse(otp_id)
        # No savepoint inside a caller's transaction (``flows.verify`` holds the
        # challenge's row lock): nothing in the block is caught and recovered from, so
        # a savepoint would only add two statements. An unknown id is raised after it.
        with transaction.atomic(savepoint=False):
            otp = one_row(LocalOtp.objects.select_for_update().filter(otp_id=key))
            outcome: CheckOutcome | None = None  # stays None only without a row
            if otp is not None and otp.status != LocalOtp.Status.ACTIVE:
                outcome = CheckOutcome.ALREADY_FINAL  # tyntec 410: nothing evaluated or counted
            elif otp is not None and _expire_if_due(otp):
                outcome = CheckOutcome.EXPIRED  # tyntec 403: the code is not looked at
                otp.save(update_fields=["status"])
            elif otp is not None:
                otp.attempt_count += 1
                outcome = _evaluate(otp, code)
                otp.save(update_fields=["attempt_count", "status"])
        if otp is None or outcome is None:
            raise OtpNotFound(f"OTP {key} was not found")
        logger.info(
            "Local OTP %s for %s checked: %s (attempt %d of %d)",
            otp.otp_id,
            mask_number(otp.number),
            outcome.value,
            otp.attempt_count,
            otp.max_attempts,
        )
        return CheckResult(outcome=outcome, otp=_status(otp))

    def delete(self, otp_id: str) -> OtpStatus:
        """Remove the OTP; returns its last status, as tyntec's DELETE does."""
        key = _parse(otp_id)
        with transaction.atomic():
            otp = _get(LocalOtp.objects.select_for_update(), key)
            _expire_if_due(otp)
            otp.delete()
        return _status(otp)

    def events(self, otp_id: str) -> list[OtpEvent]:
        """Delivery events that have happened by now (``TYNTEC2FA_LOCAL_DELIVERY_DELAY``),
        oldest first."""
        otp = _get(LocalOtp.objects.all(), _parse(otp_id))
        now = timezone.now()
        found = [
            OtpEvent(
                created=dt.datetime.fromisoformat(event["created"]),
                type=event["type"],
                status=event.get("status"),
                status_text=event.get("statusText"),
            )
            for event in otp.events
            # Only a delayed report waits for its time; the others are there at once.
            if not event.get("delayed") or dt.datetime.fromisoformat(event["created"]) <= now
        ]
        return sorted(found, key=_created)

    def list_for_number(self, number: str) -> list[OtpStatus]:
        """Every OTP for the number, oldest first (tyntec 400 for an invalid number)."""
        mine = LocalOtp.objects.filter(number=normalize_number(number))
        mine.filter(status=LocalOtp.Status.ACTIVE, expires__lte=timezone.now()).update(
            status=LocalOtp.Status.EXPIRED
        )
        return [_status(otp) for otp in mine]

    def _prepare(self, otp: LocalOtp, code: str, text: str | None) -> Callable[[], None]:
        """Render the message and record its delivery event on ``otp`` (not saved);
        returns the call that hands the message to the sink. The caller saves the row
        only after that call returned, so a failed delivery leaves no event behind."""
        channel = Channel(otp.channel)
        message = render_text(
            channel=channel,
            code=code,
            language=otp.language,
            ttl_seconds=int((otp.expires - otp.created).total_seconds()),
            text=text,
        )
        sink = import_string(app_settings.LOCAL_SINK)()
        event = delivery_event(channel, type(sink).__name__)
        otp.events = [*otp.events, event] if event is not None else otp.events

        def deliver() -> None:
            sink.deliver(
                Delivery(
                    number=otp.number,
                    channel=channel,
                    language=otp.language,
                    text=message,
                    code=code,
                    otp_id=str(otp.otp_id),
                )
            )
            logger.info(
                "Local OTP %s delivered to %s via %s", otp.otp_id, mask_number(otp.number), channel
            )

        return deliver


def delivery_event(channel: Channel, sink_name: str) -> dict[str, Any] | None:
    """The delivery event of a message on ``channel``, as ``TYNTEC2FA_LOCAL_DELIVERY``
    and ``TYNTEC2FA_LOCAL_DELIVERY_DELAY`` say it ends (for a demo or a test of the
    delivery status): ``delivered`` (the default), ``failed``, ``unknown`` (no status,
    tyntec's ``null``) or ``silent`` (no event, None)."""
    setting = app_settings.LOCAL_DELIVERY
    outcome = setting.get(channel.value, "delivered") if isinstance(setting, dict) else setting
    if outcome not in LOCAL_OUTCOMES:
        raise ImproperlyConfigured(f"TYNTEC2FA_LOCAL_DELIVERY: unknown outcome {outcome!r}")
    if outcome == "silent":
        return None
    delay = app_settings.LOCAL_DELIVERY_DELAY
    created = timezone.now() + dt.timedelta(seconds=delay)
    event: dict[str, Any] = {
        "created": created.isoformat(),
        "type": f"DELIVER_OTP_{channel.value}",
        "statusText": _LOCAL_TEXTS[outcome].format(sink=sink_name),
    }
    if outcome in ("delivered", "failed"):
        event["status"] = "success" if outcome == "delivered" else "failed"
    if delay > 0:
        event["delayed"] = True
    return event


def _created(event: OtpEvent) -> dt.datetime:
    return event.created


def _evaluate(otp: LocalOtp, code: str) -> CheckOutcome:
    """Decide one counted attempt and set ``otp.status``; compares exactly once (L5)."""
    # The code is hashed exactly as typed: normalising input is the caller's job (L6).
    if constant_time_compare(hash_code(otp.otp_id, code), otp.code_hash):
        otp.status = LocalOtp.Status.VERIFIED
        return CheckOutcome.VERIFIED
    if otp.attempt_count >= otp.max_attempts:
        otp.status = LocalOtp.Status.TOO_MANY_ATTEMPTS
        return CheckOutcome.EXHAUSTED
    return CheckOutcome.WRONG_CODE


def _expire_if_due(otp: LocalOtp) -> bool:
    """Mark an ACTIVE OTP at or past ``expires`` as EXPIRED (not saved); True if it did."""
    if otp.status == LocalOtp.Status.ACTIVE and timezone.now() >= otp.expires:
        otp.status = LocalOtp.Status.EXPIRED
        return True
    return False


def _resolve(via: Channel | str) -> str:
    """``AUTO`` is SMS here: there is no mobile/landline lookup to decide otherwise."""
    channel = Channel(via)
    return Channel.SMS.value if channel is Channel.AUTO else channel.value


def _parse(otp_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(otp_id))
    except ValueError:
        raise OtpNotFound(f"OTP {otp_id!r} was not found") from None


def _get(queryset: QuerySet[LocalOtp], key: uuid.UUID) -> LocalOtp:
    try:
        return queryset.get(otp_id=key)
    except LocalOtp.DoesNotExist:
        raise OtpNotFound(f"OTP {key} was not found") from None


def _status(otp: LocalOtp) -> OtpStatus:
    return OtpStatus(
        otp_id=str(otp.otp_id),
        number=otp.number,
        status=OtpState(otp.status),
        attempt_count=otp.attempt_count,
        created=otp.created,
        expires=otp.expires,
        application_id=otp.application_id or None,
        reference_id=otp.reference_id or None,
    )
