"""What the pages tell the user after an action: one message at a time, tied to the
field it is about, and what to do next. Presentation only: which codes are dead,
how long a wait lasts and how many tries a code has are decided by ``flows`` and
``lockout``; this module words their answers.

- A wrong code says how many tries the code has left.
- A dead code (too many wrong codes, expired, used, unknown at the provider) and a
  locked account disable the code field, so nothing more is typed into a code that
  can never work; the one message on the field says what to do next: send a new code,
  or wait until a clock time.
- A notice that must survive a redirect (post/redirect/get: a send pressed too early,
  a phone removed) waits in the session for the next page, once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.forms import Form
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import npgettext, pgettext

from ..exceptions import (
    CODE_ERRORS,
    AccountLocked,
    InvalidCode,
    ResendNotAllowed,
    Tyntec2FAError,
)

#: The errors that belong to the code field: the code's own (L7) and the account's lock.
FIELD_ERRORS: tuple[type[Tyntec2FAError], ...] = (*CODE_ERRORS, AccountLocked)
#: The session key of the notice for the next page (``flash``).
NOTICE_KEY = "_tyntec2fa_notice"
#: The notice of a send pressed during the cooldown: the page shows its clock instead.
EARLY = "early"


def clock(seconds: int | float) -> dt.datetime:
    """The moment ``seconds`` from now (aware)."""
    return timezone.now() + dt.timedelta(seconds=seconds)


def clock_text(moment: dt.datetime) -> str:
    """A clock time a person can act on without JavaScript: hours, minutes, seconds and
    the zone (the server cannot know the reader's zone), e.g. "14:05:30 UTC"; with the
    date in front when it is not today."""
    aware = timezone.is_aware(moment)  # naive under USE_TZ = False
    local = timezone.localtime(moment) if aware else moment
    today = timezone.localdate() if aware else dt.date.today()
    text = time_format(local, "H:i:s T")
    if local.date() != today:
        text = f"{date_format(local, 'DATE_FORMAT')}, {text}"
    return text


def retry_at(seconds: int | float | None) -> str:
    """When trying again makes sense, as ``clock_text``; "" when not known."""
    return clock_text(clock(seconds)) if seconds else ""


def cooldown_context(cooldown: int) -> dict[str, Any]:
    """The cooldown of the send buttons: ``cooldown`` seconds, and its clock time."""
    return {"cooldown": cooldown, "cooldown_until": clock(cooldown) if cooldown else None}


def code_error(form: Form, field: str, context: dict[str, Any], error: Tyntec2FAError) -> None:
    """Put ``error`` on the code field, worded with what to do next; disable the field
    when no code can work now (``context["dead"]``), and hide the send buttons while
    the account waits (``context["locked"]``: a send would be refused too)."""
    message = str(error.message)
    live = context.get("challenge")
    if isinstance(error, InvalidCode) and live is not None:
        left = max(0, live.max_attempts - live.attempts)
        tries = npgettext(
            "tyntec2fa", "You have %(count)s try left.", "You have %(count)s tries left.", left
        ) % {"count": left}
        message = f"{message} {tries}"
    elif isinstance(error, AccountLocked):
        message = locked_message(error)
        context["locked"] = True
    elif context.get("locked_message"):
        # A dead code that also started the account's wait: no new code can be sent
        # before it ends, so the wait is what to do next, not "request a new code".
        message = context["locked_message"]
    if not isinstance(error, InvalidCode):
        context["dead"] = True
        form.fields[field].disabled = True
    form.add_error(field, message)


def locked_message(error: AccountLocked) -> str:
    """The lock's message, with the clock time the wait ends when it has one."""
    message = str(error.message)
    if error.retry_after:
        until = clock_text(clock(error.retry_after))
        when = pgettext("tyntec2fa", "You can try again at %(time)s.") % {"time": until}
        message = f"{message} {when}"
    return message


def is_early(error: Tyntec2FAError) -> bool:
    """A send pressed during the cooldown: the page already shows when it may."""
    return isinstance(error, ResendNotAllowed) and bool(error.retry_after)


def flash(request: HttpRequest, notice: str) -> None:
    """Keep ``notice`` (``EARLY`` or a translated message) for the next page."""
    request.session[NOTICE_KEY] = str(notice)


def take_notice(request: HttpRequest) -> str:
    """The notice ``flash`` kept, once; "" when there is none."""
    return str(request.session.pop(NOTICE_KEY, "") or "")
