"""The second factor's state in the session: the pending login and the proof of
verification. The one module that reads or writes these session keys.

After the password step ``begin_pending`` moves Django's own auth keys out of the
session into the pending state, so until the code is verified every view, with or
without this app's middleware, sees an anonymous user and the session holds no
``_auth_user_id`` (S1). Nothing secret is kept: no password, no code, no provider OTP
id (S2, G5). ``complete_login`` restores the login with ``django.contrib.auth.login``
and cycles the session key (S3).

The proof of verification is bound to the user and to Django's session auth hash, so
checking it costs no query: ``is_verified`` compares session values only.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from dataclasses import asdict, dataclass
from typing import Any

from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.http import HttpRequest
from django.middleware.csrf import rotate_token
from django.utils.crypto import constant_time_compare, get_random_string

from ..choices import Purpose
from ..conf import app_settings

PENDING_KEY = "_tyntec2fa_pending"
PROOF_KEY = "_tyntec2fa_verified"
#: Set on the request while ``complete_login`` calls ``auth.login``, so the
#: ``user_logged_in`` receiver does not make the session pending again.
COMPLETING_ATTR = "_tyntec2fa_completing"
#: What ``flows.login.decide`` found a password login owes when it owes no code now
#: ("nothing" or "trusted"), kept in the session for the ``auth.login`` that follows
#: (``record_decision``, ``take_decision``); a login that owes a code is the pending
#: login itself.
DECISION_KEY = "_tyntec2fa_login_decision"
#: Seconds a recorded decision holds: the ``auth.login`` follows at once.
DECISION_SECONDS = 60


@dataclass(frozen=True)
class PendingLogin:
    """A password step waiting for its second factor."""

    user_pk: str
    backend: str
    auth_hash: str
    started_at: float
    next_url: str = ""
    #: ``Purpose.LOGIN``: the user has a confirmed phone and owes its code;
    #: ``Purpose.ENROLL``: the policy requires a phone, which must be added first.
    purpose: str = Purpose.LOGIN

    @property
    def enrolling(self) -> bool:
        """True when this login must add a phone before it can go on."""
        return self.purpose == Purpose.ENROLL

    def age(self) -> float:
        """Seconds since the password step."""
        return time.time() - self.started_at

    def expired(self) -> bool:
        """Past ``TYNTEC2FA_LOGIN_TIMEOUT`` (S2)."""
        return self.age() >= app_settings.LOGIN_TIMEOUT


def begin_pending(
    request: HttpRequest, user: AbstractBaseUser, *, purpose: str = Purpose.LOGIN
) -> None:
    """Turn a fresh ``auth.login`` into a pending login (call from ``user_logged_in``).

    Any earlier pending state in this session is replaced (S4).
    """
    session = request.session
    pending = PendingLogin(
        user_pk=str(session.pop(SESSION_KEY)),
        backend=session.pop(BACKEND_SESSION_KEY),
        auth_hash=session.pop(HASH_SESSION_KEY, "") or "",
        started_at=time.time(),
        purpose=purpose,
    )
    _store_pending(request, pending)


def enter_pending(
    request: HttpRequest, user: AbstractBaseUser, *, backend: str, purpose: str = Purpose.LOGIN
) -> None:
    """Make the password step of ``user`` a pending login without ``auth.login`` (S1).

    Whoever was logged in in this session is logged out first, as ``auth.login``
    would do for another user (their session data goes too); otherwise the data is
    kept. The session key and the CSRF token are rotated, as ``auth.login`` does (S3).
    """
    store = request.session
    if SESSION_KEY in store:
        store.flush()  # a login (any user's) never survives into a pending login
    else:
        rotate_key(request)
    pending = PendingLogin(
        user_pk=user._meta.pk.value_to_string(user),
        backend=backend,
        auth_hash=user.get_session_auth_hash(),
        started_at=time.time(),
        purpose=purpose,
    )
    _store_pending(request, pending)
    rotate_token(request)


def _store_pending(request: HttpRequest, pending: PendingLogin) -> None:
    request.session.pop(PROOF_KEY, None)
    request.session.pop(NOT_REQUIRED_KEY, None)
    request.session[PENDING_KEY] = asdict(pending)
    request.user = auth.models.AnonymousUser()


def get_pending(request: HttpRequest) -> PendingLogin | None:
    """The pending login of this session, or None. An expired one is wiped (S2)."""
    raw = request.session.get(PENDING_KEY)
    if not isinstance(raw, dict):
        return None
    try:
        pending = PendingLogin(**raw)
    except TypeError:
        clear_pending(request)
        return None
    if pending.expired():
        clear_pending(request)
        return None
    return pending


def set_next(request: HttpRequest, next_url: str) -> None:
    """Remember where to go after the code; validate with ``redirects.safe_next`` first."""
    raw = request.session.get(PENDING_KEY)
    # Unchanged (the gate stored it, the page's ?next= repeats it): no session write.
    if isinstance(raw, dict) and raw.get("next_url") != next_url:
        request.session[PENDING_KEY] = {**raw, "next_url": next_url}


def pending_user(request: HttpRequest, pending: PendingLogin | None = None) -> Any | None:
    """The user of the pending login, if the password step is still valid for them.

    The user is reloaded through the backend that authenticated them, and the session
    auth hash must still match: a password change in between ends the pending login.
    """
    pending = pending or get_pending(request)
    if pending is None:
        return None
    try:
        backend = auth.load_backend(pending.backend)
    except ImportError:
        clear_pending(request)
        return None
    user = backend.get_user(pending.user_pk)
    if user is None or not constant_time_compare(pending.auth_hash, user.get_session_auth_hash()):
        clear_pending(request)
        return None
    return user


def clear_pending(request: HttpRequest) -> None:
    """Forget the pending login (logout, abort, timeout, another user's login)."""
    request.session.pop(PENDING_KEY, None)


def complete_login(request: HttpRequest, user: AbstractBaseUser, pending: PendingLogin) -> None:
    """The code was right: log the user in for real, in a new session key (S3)."""
    clear_pending(request)
    rotate_key(request)
    # The user goes into the session before login(): seeing them there, login() keeps
    # the key this function just rotated instead of cycling it once more (a second
    # rotation costs six queries and adds nothing). It still rotates the CSRF token
    # and sends user_logged_in, for every receiver but ours (COMPLETING_ATTR).
    store = request.session
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = pending.backend
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    setattr(request, COMPLETING_ATTR, True)
    try:
        auth.login(request, user, backend=pending.backend)
    finally:
        delattr(request, COMPLETING_ATTR)
    mark_verified(request)


def rotate_key(request: HttpRequest) -> None:
    """Give the session a new key, keeping its data (S3): the old key stops working
    now, the data is stored once, when the response saves the session.

    ``SessionBase.cycle_key`` does the same but stores the new session at once, so a
    request that changes the session afterwards (every login does) writes it twice.
    """
    store = request.session
    key = store.session_key
    if key is None:
        return  # not stored yet: it gets a fresh key when it is saved
    data = dict(store.items())
    if type(store).delete is not DatabaseStore.delete or type(store).save is not DatabaseStore.save:
        store.flush()  # deletes the old session; the save stores a new one
        store.update(data)
        return
    # Django's database engine: the stored row takes the new key (one UPDATE), so the
    # old key finds nothing from now on and the response's save is an UPDATE of that
    # row. Deleting it and letting the save create a new one costs three statements
    # more (Django's delete reads the row first; its create asks whether the new key
    # is taken). The key is drawn as Django draws it: 32 of 36 characters, so a clash
    # (the primary key would refuse it) is not worth a query.
    fresh = get_random_string(32, VALID_KEY_CHARS)
    moved = store.model.objects.filter(session_key=key).update(session_key=fresh)
    store.clear()
    # No row any more (deleted meanwhile, e.g. signed out everywhere): the save creates
    # one under a fresh key, as after ``flush()``.
    store._session_key = fresh if moved else None
    store.update(data)


def mark_verified(request: HttpRequest) -> None:
    """Record a successful second factor for the logged-in user (login or step-up)."""
    request.session[PROOF_KEY] = {
        "user": str(request.session[SESSION_KEY]),
        "hash": request.session.get(HASH_SESSION_KEY, ""),
        "at": time.time(),
    }


def mark_trusted(request: HttpRequest) -> None:
    """Record that the logged-in user skipped the code on a trusted browser (S9).

    The gate lets the session through like a verified one, but the proof carries no
    time: a trusted browser is never a recent second factor, so a step-up still asks
    for a code (``verified_at`` answers None)."""
    request.session[PROOF_KEY] = {
        "user": str(request.session[SESSION_KEY]),
        "hash": request.session.get(HASH_SESSION_KEY, ""),
        "at": None,
        "trusted_browser": True,
    }


def _proof(request: HttpRequest) -> dict[str, Any] | None:
    session = getattr(request, "session", None)
    if session is None:
        return None
    proof = session.get(PROOF_KEY)
    user_pk = session.get(SESSION_KEY)
    if not isinstance(proof, dict) or user_pk is None:
        return None
    if proof.get("user") != str(user_pk):
        return None
    if not constant_time_compare(
        str(proof.get("hash", "")), str(session.get(HASH_SESSION_KEY, ""))
    ):
        return None
    return proof


def is_verified(request: HttpRequest) -> bool:
    """True when this session's user passed the second factor. No database query."""
    return _proof(request) is not None


def verified_at(request: HttpRequest) -> float | None:
    """Epoch seconds of the latest second factor in this session, or None (also after
    a sign-in on a trusted browser, which asked for no code: ``mark_trusted``)."""
    proof = _proof(request)
    if proof is None or proof.get("at") is None:
        return None
    return float(proof["at"])


def is_recent(request: HttpRequest, max_age: int | None = None) -> bool:
    """A second factor within ``max_age`` seconds (default ``TYNTEC2FA_STEP_UP_MAX_AGE``)."""
    return is_fresh(verified_at(request), max_age)


def is_fresh(at: float | None, max_age: int | None = None) -> bool:
    """``at`` (epoch seconds of a second factor) is less than ``max_age`` seconds ago
    (default ``TYNTEC2FA_STEP_UP_MAX_AGE``)."""
    limit = app_settings.STEP_UP_MAX_AGE if max_age is None else max_age
    return at is not None and time.time() - at < limit


# --- A proof carried by the request instead of the session (API tokens) ------------

#: Set on the request by an authentication method that proves the second factor
#: without a session login (``api.authentication.SecondFactorTokenAuthentication``):
#: ``(user_pk, verified_at)``. Only server code sets it; no client input reaches it.
REQUEST_PROOF_ATTR = "_tyntec2fa_request_proof"


def set_request_proof(request: HttpRequest, user: Any, at: float) -> None:
    """Record on ``request`` that ``user`` passed the second factor at ``at`` (epoch
    seconds), proven by the request's credentials rather than by the session."""
    setattr(request, REQUEST_PROOF_ATTR, (str(user.pk), float(at)))


def request_verified_at(request: HttpRequest | None, user: Any) -> float | None:
    """The time of ``user``'s second factor proven by ``request``'s credentials, or None."""
    proof = getattr(request, REQUEST_PROOF_ATTR, None)
    if not isinstance(proof, tuple) or proof[0] != str(user.pk):
        return None
    return float(proof[1])


# --- For the gate (middleware, receivers, decorators) ------------------------------

#: The policy's "no second factor needed" answer for the logged-in user, cached so the
#: middleware asks the database once per login, not once per request.
NOT_REQUIRED_KEY = "_tyntec2fa_not_required"


async def aload(request: HttpRequest) -> None:
    """Load the session through Django's async session API (under ASGI), so that the
    functions here then read it from memory: on the event loop for the signed-cookie
    engine, in Django's own thread hop for the database (the load the view's
    ``request.auser()`` would do anyway)."""
    await request.session.ahas_key(PENDING_KEY)


def has_pending_state(request: HttpRequest) -> bool:
    """True when the session holds pending-login state, expired or not. No query
    beyond loading the session; use ``get_pending`` for the state itself."""
    return PENDING_KEY in request.session


def has_login(request: HttpRequest) -> bool:
    """True when Django's auth keys are in the session (a user is logged in)."""
    return SESSION_KEY in request.session


def _binding(request: HttpRequest) -> dict[str, str]:
    return {
        "user": str(request.session[SESSION_KEY]),
        "hash": str(request.session.get(HASH_SESSION_KEY, "")),
    }


def remember_not_required(request: HttpRequest) -> None:
    """Cache that the logged-in user needs no second factor, bound to the user and
    the session auth hash (a password change or another user invalidates it)."""
    if has_login(request):
        request.session[NOT_REQUIRED_KEY] = _binding(request)


def forget_not_required(request: HttpRequest) -> None:
    """Drop the cached policy answer (a new login asks the policy again)."""
    request.session.pop(NOT_REQUIRED_KEY, None)


def is_not_required(request: HttpRequest) -> bool:
    """The cached "no second factor needed" answer holds for this session's user."""
    cached = request.session.get(NOT_REQUIRED_KEY)
    if not isinstance(cached, dict) or not has_login(request):
        return False
    binding = _binding(request)
    return cached.get("user") == binding["user"] and constant_time_compare(
        str(cached.get("hash", "")), binding["hash"]
    )


#: A new set of recovery codes waiting for its one page (``keep_new_codes``).
NEW_CODES_KEY = "_tyntec2fa_new_codes"
#: How long a new set waits for that page: the redirect after the POST comes at once.
NEW_CODES_SECONDS = 300


def _xor(data: bytes, pad: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, pad, strict=True))


def keep_new_codes(request: HttpRequest, codes: list[str]) -> str:
    """Keep a new set of recovery codes for the one GET that shows it (issue 23.12).

    The session holds the codes XOR a random pad of their length (a one-time pad),
    bound to the user and the session auth hash; the pad is returned for the browser's
    cookie. Neither alone tells a code: a database session backend never stores them
    readable. ``take_new_codes`` removes them; unread, they expire in
    ``NEW_CODES_SECONDS``."""
    data = "\n".join(codes).encode()
    pad = secrets.token_bytes(len(data))
    request.session[NEW_CODES_KEY] = {
        **_binding(request),
        "at": time.time(),
        "codes": base64.b64encode(_xor(data, pad)).decode(),
    }
    return base64.urlsafe_b64encode(pad).decode()


def take_new_codes(request: HttpRequest, pad: str | None) -> list[str] | None:
    """The set ``keep_new_codes`` kept, once: the session forgets it whatever the
    answer. ``None`` when there is none (already shown), it is too old, the pad is
    missing or wrong, or the login is not the one that generated it."""
    kept = request.session.pop(NEW_CODES_KEY, None)
    if not isinstance(kept, dict) or not pad or not has_login(request):
        return None
    binding = _binding(request)
    if kept.get("user") != binding["user"] or not constant_time_compare(
        str(kept.get("hash", "")), binding["hash"]
    ):
        return None
    if time.time() - float(kept.get("at", 0)) > NEW_CODES_SECONDS:
        return None
    try:
        data = base64.b64decode(str(kept.get("codes", "")))
        key = base64.urlsafe_b64decode(pad)
        return _xor(data, key).decode().split("\n") if data else None
    except (binascii.Error, ValueError):  # a garbled pad; ValueError: its length too
        return None


def record_decision(request: HttpRequest, user: AbstractBaseUser, owed: str) -> None:
    """Keep what the password login of ``user`` owes (``owed``: "nothing" or
    "trusted") for the ``auth.login`` that follows, bound to the user and the session
    auth hash. Another user's login in this session is flushed first, as ``auth.login``
    would flush it, so the decision survives into the login."""
    store = request.session
    pk = user._meta.pk.value_to_string(user)
    auth_hash = user.get_session_auth_hash()
    if SESSION_KEY in store and (
        str(store[SESSION_KEY]) != pk
        or not constant_time_compare(str(store.get(HASH_SESSION_KEY, "")), auth_hash)
    ):
        store.flush()
    store[DECISION_KEY] = {"user": pk, "hash": auth_hash, "owed": owed, "at": time.time()}


def take_decision(request: HttpRequest, user: AbstractBaseUser) -> str | None:
    """The decision ``record_decision`` kept for this login of ``user``, once (it is
    removed), or None: none kept, another user's, a changed password, or too old."""
    entry = request.session.pop(DECISION_KEY, None)
    if not isinstance(entry, dict):
        return None
    at = entry.get("at")
    if not isinstance(at, int | float) or time.time() - at > DECISION_SECONDS:
        return None
    if entry.get("user") != user._meta.pk.value_to_string(user):
        return None
    if not constant_time_compare(str(entry.get("hash", "")), user.get_session_auth_hash()):
        return None
    owed = entry.get("owed")
    return owed if isinstance(owed, str) else None
