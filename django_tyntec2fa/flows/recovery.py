"""Recovery codes: the way in when the phone is lost (R1, E4, L2, L4, G4).

- **Format.** 12 symbols of a 32-symbol alphabet without look-alikes (no ``i``, ``l``,
  ``o``, ``u``): 60 bits from ``secrets``, shown in groups of four
  (``k7qm-4xta-9rhe``). Typed codes are accepted whatever their case, spaces or dashes;
  anything else is not a recovery code (``InvalidCode``), never "corrected".
- **Storage.** Only a keyed hash: HMAC-SHA256 of the user's pk and the code under a key
  derived from ``SECRET_KEY`` (``salted_hmac``); ``SECRET_KEY_FALLBACKS`` keep codes
  valid through a key rotation. A code is looked up by its hash, so no stored value is
  ever compared with the typed code byte by byte.
- **Use.** A right code completes a pending login exactly as a phone code does
  (``session.complete_login``: new session key, the proof of the second factor, which
  counts as recent). It is used up by one conditional UPDATE that holds only while the
  code is unused: of K concurrent uses exactly one completes a login. A wrong, used or
  malformed code counts like a wrong phone code: the verify rate limits and the
  account's failure counter (``lockout``); a waiting or locked account is refused
  before any code is looked at.
- **Generation** replaces the whole set and needs a recent second factor; **revoke**
  removes it (operators, ``tyntec2fa_disable``). Each generation, use, failure and
  revocation is an audit row and a signal; never a code.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .. import signals
from ..choices import Purpose
from ..conf import app_settings
from ..core import audit, lockout, session
from ..core.policy import has_confirmed_device
from ..exceptions import (
    DeviceError,
    InvalidCode,
    RecoveryDisabled,
    Tyntec2FAError,
)
from ..models import AuditEvent, RecoveryCode
from . import trust
from .challenge import cancel_where
from .login import _pending
from .sensitive import Sensitive, require_fresh
from .verify import admit_attempt

#: Crockford's base32 digits in lower case: no i, l, o or u to mistake for 1, 0 or v.
ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
#: Symbols per code (5 bits each: 60 bits) and per group when shown.
LENGTH, GROUP = 12, 4
#: Longer input is refused without looking at it.
MAX_INPUT = 64
_SALT = "django_tyntec2fa.recovery-code"
_REMOVED = str.maketrans("", "", " \t\n\r\x0b\x0c-")
_SHAPE = re.compile(f"[{ALPHABET}]{{{LENGTH}}}")


@dataclass(frozen=True)
class RecoveryStatus:
    """A user's set: how many codes are left and when the set was generated."""

    remaining: int
    #: None when the user never had a set (or it was revoked).
    generated_at: dt.datetime | None

    @property
    def low(self) -> bool:
        """Two or fewer left of a set: time to generate a new one."""
        return self.generated_at is not None and self.remaining <= 2


@dataclass(frozen=True)
class GeneratedSet:
    """A new set: the codes in their displayed form, shown once and never stored."""

    codes: list[str]
    generated_at: dt.datetime

    @property
    def status(self) -> RecoveryStatus:
        """The set's status right after generation."""
        return RecoveryStatus(remaining=len(self.codes), generated_at=self.generated_at)


@dataclass(frozen=True)
class Recovered:
    """A login completed by a recovery code."""

    user: Any
    #: Unused codes left after this one.
    remaining: int


def enabled() -> bool:
    """True unless ``TYNTEC2FA_RECOVERY_CODES`` is 0."""
    return app_settings.RECOVERY_CODES > 0


def status(user: Any) -> RecoveryStatus:
    """How many unused codes ``user`` has and when the set was made. One query."""
    found = RecoveryCode.objects.filter(user_id=user.pk).aggregate(
        remaining=Count("pk", filter=Q(used_at__isnull=True)), generated_at=Max("created_at")
    )
    return RecoveryStatus(remaining=found["remaining"], generated_at=found["generated_at"])


def normalize(raw: Any) -> str | None:
    """The code as 12 lower-case symbols of ``ALPHABET``, or None when ``raw`` is not
    one: case, ASCII whitespace and dashes are ignored, nothing else is accepted."""
    if not isinstance(raw, str) or len(raw) > MAX_INPUT:
        return None
    code = raw.translate(_REMOVED).lower()
    return code if _SHAPE.fullmatch(code) else None


def display(code: str) -> str:
    """A normalised code in groups for reading: ``k7qm-4xta-9rhe``."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def generate(request: HttpRequest | None, user: Any) -> GeneratedSet:
    """Replace ``user``'s set with ``TYNTEC2FA_RECOVERY_CODES`` new codes; returns them
    (displayed form) for the one page or answer that shows them.

    Raises ``RecoveryDisabled`` (the setting is 0), ``DeviceError`` (no confirmed phone:
    nothing to recover) and ``StepUpRequired`` (no second factor within
    ``TYNTEC2FA_STEP_UP_MAX_AGE`` in this session or API token, E3).
    """
    require_enabled()
    if not has_confirmed_device(user):
        raise DeviceError(
            "recovery codes need a confirmed phone",
            message=_("Add a phone before you generate recovery codes."),
        )
    require_fresh(request, user, Sensitive.RECOVERY_CODES)
    codes = ["".join(secrets.choice(ALPHABET) for _i in range(LENGTH)) for _n in range(_count())]
    now = timezone.now()
    with transaction.atomic():
        replaced, _per_model = RecoveryCode.objects.filter(user_id=user.pk).delete()
        RecoveryCode.objects.bulk_create(
            RecoveryCode(user_id=user.pk, digest=_digest(user, code), created_at=now)
            for code in codes
        )
    audit.record(
        AuditEvent.Kind.RECOVERY_GENERATED, request=request, user=user, detail=f"{len(codes)} codes"
    )
    signals.recovery_codes_generated.send(
        sender=type(user), request=request, user=user, count=len(codes), replaced=replaced
    )
    return GeneratedSet(codes=[display(code) for code in codes], generated_at=now)


def recover_login(
    request: HttpRequest,
    code: Any,
    *,
    found: tuple[session.PendingLogin, Any] | None = None,
    remember: bool = False,
) -> Recovered:
    """Complete the pending login with a recovery code, as ``verify_login`` does with a
    phone code; the live phone code of the login is cancelled (at the provider too).

    ``found``: the ``(pending, user)`` the caller already loaded. ``remember``: trust
    this browser (``trust.remember``, S9; the front end sets the cookie). Raises
    ``LoginTimeout`` (no pending login), ``DeviceError`` (a pending login that must add
    a phone first), ``RecoveryDisabled``, ``InvalidCode``, ``AccountLocked``,
    ``RateLimited`` and ``LimitsUnavailable``.
    """
    pending, user = found if found is not None else _pending(request)
    if pending.enrolling:
        # The policy wants a phone first; a code of an earlier phone does not replace it.
        raise DeviceError(
            "the pending login must add a phone first",
            message=_("Please add a phone number first."),
        )
    remaining = redeem(request, user, code)
    cancel_where(request, user_id=user.pk, purpose=Purpose.LOGIN, detail="recovery code used")
    session.complete_login(request, user, pending)
    if remember:
        trust.remember(request, user)
    return Recovered(user=user, remaining=remaining)


def redeem(request: HttpRequest | None, user: Any, code: Any) -> int:
    """Use up one of ``user``'s recovery codes; returns how many are left.

    The order is ``flows.verify``'s: the account's lock and the verify rate limits
    refuse first (nothing counted, L2); then every wrong, used or malformed code counts
    one failure (L4) and is ``InvalidCode`` (one answer for all, L7), carrying what the
    user may do next (``error.standing``). All of it holds the account's counter row
    (``lockout.hold``): parallel codes of one account are decided one after the other,
    so the wait starts at exactly ``BACKOFF_AFTER`` failures (issue 23.7) and a
    success's reset never meets a failure decided before it (issue 23.8).
    """
    require_enabled()
    normalized = normalize(code)
    refused: Tyntec2FAError | None = None
    left = 0
    with transaction.atomic():
        lockout.hold(user)
        try:
            counter = admit_attempt(
                request, user, refused=AuditEvent.Kind.RECOVERY_FAILED, detail="recovery: "
            )
        except Tyntec2FAError as error:
            refused = error  # raised after the commit: its audit row stays
        else:
            if normalized is not None and _use_up(user, normalized):
                if lockout.has_count(counter):
                    lockout.reset(user)  # a success resets the count, as a phone code's (L3)
                left = status(user).remaining
                audit.record(
                    AuditEvent.Kind.RECOVERY_USED, request=request, user=user, detail=f"{left} left"
                )
            else:
                reason = "not a recovery code" if normalized is None else "wrong or used"
                audit.record(
                    AuditEvent.Kind.RECOVERY_FAILED,
                    request=request,
                    user=user,
                    detail=f"invalid_code: {reason}",
                )
                after = lockout.record_failure(request, user)
                refused = InvalidCode(f"recovery code {reason}", message=INVALID_MESSAGE)
                refused.standing = lockout.standing_of(after, per_code=False)
    if refused is None:
        signals.recovery_code_used.send(
            sender=type(user), request=request, user=user, remaining=left
        )
        return left
    if isinstance(refused, InvalidCode):
        signals.second_factor_failed.send(
            sender=type(user), request=request, user=user, challenge=None, reason=refused.code
        )
    raise refused


#: The one answer to a wrong, used or malformed recovery code (L7).
INVALID_MESSAGE = _("That recovery code is not valid. Check it and try again.")


def revoke(user: Any, *, request: HttpRequest | None = None, actor: str = "") -> int:
    """Remove ``user``'s recovery codes (an operator, ``tyntec2fa_disable``); returns how
    many unused ones were removed. Audited and signalled when there was a set."""
    with transaction.atomic():
        unused = RecoveryCode.objects.filter(user_id=user.pk, used_at__isnull=True).count()
        deleted, _rows = RecoveryCode.objects.filter(user_id=user.pk).delete()
    if not deleted:
        return 0
    detail = f"{unused} unused" + (f"; by {actor}" if actor else "")
    audit.record(AuditEvent.Kind.RECOVERY_REVOKED, request=request, user=user, detail=detail)
    signals.recovery_codes_revoked.send(sender=type(user), request=request, user=user, count=unused)
    return unused


def _use_up(user: Any, code: str) -> bool:
    """Mark the unused code with this hash used; True for the one request whose
    conditional UPDATE changed the row (exactly one of K concurrent uses)."""
    digests = [_digest(user, code, secret) for secret in _secrets()]
    row = (
        RecoveryCode.objects.filter(user_id=user.pk, digest__in=digests, used_at__isnull=True)
        .values_list("pk", flat=True)
        .first()
    )
    if row is None:
        return False
    updated = RecoveryCode.objects.filter(pk=row, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    return updated == 1


def _digest(user: Any, code: str, secret: Any = None) -> str:
    """HMAC-SHA256 (hex) of the user's pk and the normalised code under ``secret``
    (default ``SECRET_KEY``); the user's pk makes equal codes of two users differ."""
    value = f"{user.pk}:{code}"
    return salted_hmac(_SALT, value, secret=secret, algorithm="sha256").hexdigest()


def _secrets() -> list[Any]:
    """``SECRET_KEY`` and its fallbacks: a key rotation does not void the codes."""
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def _count() -> int:
    return app_settings.RECOVERY_CODES


def require_enabled() -> None:
    """Raise ``RecoveryDisabled`` when ``TYNTEC2FA_RECOVERY_CODES`` is 0."""
    if not enabled():
        raise RecoveryDisabled("TYNTEC2FA_RECOVERY_CODES is 0")
