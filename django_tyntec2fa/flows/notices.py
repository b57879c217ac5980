"""Security notices: an email to the user when their second factor changes or is
attacked, so that a change they did not make does not go unnoticed (E2, E3, E4, E7).

One notice per event, each sent by the signal of the same name (``signals.py``):

==============================  ==============================================  ==========
event                           when                                            context
==============================  ==============================================  ==========
``device_added``                a phone was confirmed                           ``number``
``device_removed``              a confirmed phone was removed (by the user or   ``number``
                                an operator); an unconfirmed one is no news
``recovery_codes_generated``    a new set of recovery codes replaced the old    ``count``
``recovery_code_used``          a recovery code signed the user in              ``remaining``
``browser_trusted``             "don't ask for a code on this browser"          ``until``
``account_locked``              wrong codes started the waits or locked the     ``failures``,
                                factor: the first wait of a run of failures,    ``until``,
                                then the lock, never each further wait (E7)     ``locked``
==============================  ==============================================  ==========

Every context also has ``event``, ``time`` (aware), ``ip`` and ``browser`` (the
request's client, ``""`` without a request) and ``language``. Nothing in it is a code
or a full phone number (G4): ``number`` is masked, ``browser`` is a short name such as
"Firefox (Linux)", never the raw User-Agent (which the client writes, so it could carry
a phishing text into a mail from the site).

The notice goes out after the transaction that made the change commits: a change
rolled back is no news. It speaks the language that was active in the request that
caused it (``translation.get_language()``), so a German user's action gets a German
mail; an operator's action is told in the operator's language. A failure to send is
logged (logger ``django_tyntec2fa.notices``) and never reaches the user's request: the
change itself has succeeded.

``TYNTEC2FA_NOTIFY``: ``True`` (default) sends with ``send_email``; ``False`` sends
nothing; a callable ``(event, user, context)`` or its import path is called instead
(after the commit too, with the language active).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.dispatch import Signal
from django.http import HttpRequest
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from .. import signals
from ..abuse.masking import mask_number
from ..abuse.ratelimits import client_ip
from ..conf import app_settings
from ..core import lockout
from .trust import describe

logger = logging.getLogger("django_tyntec2fa.notices")

DEVICE_ADDED = "device_added"
DEVICE_REMOVED = "device_removed"
RECOVERY_CODES_GENERATED = "recovery_codes_generated"
RECOVERY_CODE_USED = "recovery_code_used"
BROWSER_TRUSTED = "browser_trusted"
ACCOUNT_LOCKED = "account_locked"
#: The events, in the order of the table above.
EVENTS = (
    DEVICE_ADDED,
    DEVICE_REMOVED,
    RECOVERY_CODES_GENERATED,
    RECOVERY_CODE_USED,
    BROWSER_TRUSTED,
    ACCOUNT_LOCKED,
)
#: Where the templates are: ``<event>_subject.txt``, ``<event>_body.txt`` and, when a
#: project adds one, ``<event>_body.html`` (sent as the HTML alternative).
TEMPLATE_DIR = "django_tyntec2fa/email"

Sender = Callable[[str, Any, dict[str, Any]], None]


def connect() -> None:
    """Connect ``on_security_event`` to the signal of each event (``apps.py``)."""
    for event in EVENTS:
        signal: Signal = getattr(signals, event)
        signal.connect(on_security_event, dispatch_uid=f"tyntec2fa.notices.{event}")


def on_security_event(
    sender: Any, signal: Signal, request: HttpRequest | None = None, user: Any = None, **data: Any
) -> None:
    """The receiver of every event's signal. Never raises: receivers run inside the
    flow, and a notice must not undo or fail the change it reports."""
    event = next((name for name in EVENTS if getattr(signals, name) is signal), None)
    if event is not None:
        notify(event, request, user, **data)


def notify(event: str, request: HttpRequest | None, user: Any, **data: Any) -> None:
    """Schedule the notice of ``event`` to ``user`` for when the transaction commits
    (at once outside a transaction). ``data`` are the signal's arguments. Never
    raises; a problem is logged."""
    try:
        if app_settings.NOTIFY is False or user is None:
            return
        details = _DETAILS[event](**data)
        if details is None:
            return
        language = translation.get_language() or settings.LANGUAGE_CODE
        context = {
            "event": event,
            "time": timezone.now(),
            "language": language,
            **origin(request),
            **details,
        }
        transaction.on_commit(partial(deliver, event, user, context))
    except Exception:
        logger.exception("tyntec2fa notice %s for user %s not scheduled", event, _pk(user))


def deliver(event: str, user: Any, context: dict[str, Any]) -> None:
    """Hand the notice to the sender ``TYNTEC2FA_NOTIFY`` names, in the notice's
    language. Runs after the commit; never raises (Django's ``on_commit`` would let an
    exception fail the request whose change has been saved)."""
    try:
        with translation.override(context["language"]):
            sender()(event, user, context)
    except Exception as error:
        # One line, no traceback and no message: an SMTP error's message and arguments
        # carry the user's address (SMTPRecipientsRefused), which is the user's, not the
        # log's. The event, the id and the kind of failure are enough to act on.
        logger.error(
            "tyntec2fa notice %s for user %s not sent: %s%s",
            event,
            _pk(user),
            type(error).__name__,
            f" ({error.strerror})" if isinstance(error, OSError) and error.strerror else "",
        )


def sender() -> Sender:
    """The callable that sends a notice: ``send_email`` unless ``TYNTEC2FA_NOTIFY``
    names another."""
    value = app_settings.NOTIFY
    if value is True:
        return send_email
    if isinstance(value, str):
        value = import_string(value)
    if not callable(value):
        raise TypeError(f"TYNTEC2FA_NOTIFY {value!r} is not callable (system check E044)")
    return value


def send_email(event: str, user: Any, context: dict[str, Any]) -> None:
    """The default sender: render the event's templates and mail them to the user's
    address with Django's mail framework (``EMAIL_BACKEND``, ``DEFAULT_FROM_EMAIL``).
    A user without an address gets nothing (logged at DEBUG)."""
    address = email_address(user)
    if not address:
        logger.debug("tyntec2fa notice %s: user %s has no email address", event, _pk(user))
        return
    values = {**context, "user": user, "service": app_settings.SERVICE_NAME}
    subject = " ".join(render_to_string(f"{TEMPLATE_DIR}/{event}_subject.txt", values).split())
    body = render_to_string(f"{TEMPLATE_DIR}/{event}_body.txt", values)
    message = EmailMultiAlternatives(subject, _tidy(body), to=[address])
    try:
        html = render_to_string(f"{TEMPLATE_DIR}/{event}_body.html", values)
    except TemplateDoesNotExist:
        html = ""
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


def email_address(user: Any) -> str:
    """The user's address from the user model's email field, or ``""``."""
    field = getattr(type(user), "get_email_field_name", lambda: "email")()
    return str(getattr(user, field, "") or "").strip()


def origin(request: HttpRequest | None) -> dict[str, str]:
    """Where the event came from: the client's IP and a short name of its browser."""
    if request is None:
        return {"ip": "", "browser": ""}
    return {"ip": client_ip(request), "browser": describe(request.headers.get("User-Agent", ""))}


# --- What each event tells: None means no notice -----------------------------------------


def _device_added(device: Any, **data: Any) -> dict[str, Any]:
    return {"number": mask_number(device.number)}


def _device_removed(device: Any, **data: Any) -> dict[str, Any] | None:
    # Removing a number that was never confirmed changes nothing a sign-in uses.
    return {"number": mask_number(device.number)} if device.confirmed else None


def _recovery_codes_generated(count: int, **data: Any) -> dict[str, Any]:
    return {"count": count}


def _recovery_code_used(remaining: int, **data: Any) -> dict[str, Any]:
    return {"remaining": remaining}


def _browser_trusted(browser: Any, **data: Any) -> dict[str, Any]:
    return {"browser": browser.description, "until": browser.expires_at}


def _account_locked(failures: int, until: Any, **data: Any) -> dict[str, Any] | None:
    """The lock, and the first wait of a run of failures; each further wait of the same
    run would only repeat it (E7: one notice, not one per wrong code)."""
    if until is not None and failures > 1 and lockout.wait_seconds(failures - 1) > 0:
        return None
    return {"failures": failures, "until": until, "locked": until is None}


_DETAILS: dict[str, Callable[..., dict[str, Any] | None]] = {
    DEVICE_ADDED: _device_added,
    DEVICE_REMOVED: _device_removed,
    RECOVERY_CODES_GENERATED: _recovery_codes_generated,
    RECOVERY_CODE_USED: _recovery_code_used,
    BROWSER_TRUSTED: _browser_trusted,
    ACCOUNT_LOCKED: _account_locked,
}


def _tidy(text: str) -> str:
    """Template tags leave blank lines behind: at most one blank line in a row."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def _pk(user: Any) -> Any:
    return getattr(user, "pk", None)
