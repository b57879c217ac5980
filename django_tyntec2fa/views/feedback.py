"""What the pages tell the user after an action: one message at a time, tied to the
field it is about, and what to do next. Presentation only: which codes are dead,
how long a wait lasts and how many tries a code has are decided by ``flows`` and
``lockout``; this module words their answers.

- A wrong code says how many tries the code has left.
- A dead code (too many wrong codes, expired, used, unknown at the provider) and a
  locked account disable the code field, so nothing more is typed into a code that
  can never work; the one message on the field says what to do next: send a new code,
  or wait until a clock time.
- Every refusal of a code is a post/redirect/get: the answer to the POST is a redirect
  to the page, and the refusal (``Refusal``) waits in the session for that page's next
  GET, once. Reloading the page, or going Back then Forward, never posts a code again
  (a reload would count one more wrong try) and never meets the browser's "confirm
  form resubmission" page.
- A notice that must survive a redirect (post/redirect/get: a send pressed too early,
  a phone removed) waits in the session for the next page, once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext, npgettext, pgettext

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
#: The session key of a refused code kept for its page's next GET (``keep``).
REFUSAL_KEY = "_tyntec2fa_refusal"
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


@dataclass(frozen=True)
class Refusal:
    """A refused code as its page shows it on the GET after the redirect: the code
    field's one message, whether no code can work now (``dead``: the field and its
    button are disabled), whether the account waits (``locked``: no send is offered,
    it would be refused too) and whether "remember this browser" was ticked."""

    message: str
    dead: bool = False
    locked: bool = False
    remember: bool = False


def refusal(error: Tyntec2FAError, *, remember: bool = False) -> Refusal:
    """``error`` worded with what to do next, as its ``standing`` says
    (``lockout.standing``, set by the flows): a wrong code with the tries left; a
    wait or the lock instead of any other word, the field disabled (no new code can
    be sent before a wait ends, so the wait is what to do next)."""
    standing = error.standing
    message = str(error.message)
    if standing is not None and standing.blocked:
        return Refusal(standing_message(standing), dead=True, locked=True, remember=remember)
    if isinstance(error, InvalidCode) and standing is not None and standing.tries_left:
        message = f"{message} {tries_text(standing.tries_left)}"
    dead = not isinstance(error, InvalidCode)
    return Refusal(message, dead=dead, remember=remember)


def tries_text(left: int) -> str:
    """ "You have N tries left." (``Standing.tries_left``)."""
    return npgettext(
        "tyntec2fa", "You have %(count)s try left.", "You have %(count)s tries left.", left
    ) % {"count": left}


def keep(request: HttpRequest, page: str, refused: Refusal) -> None:
    """Keep ``refused`` for the next GET of ``page`` (a URL name): post/redirect/get,
    so that reloading the page, or Back then Forward, never posts the code again."""
    # Bound to the session's key as well: a new sign-in (which gets a new key, S3) never
    # meets the refusal of the one before, when its redirect was not followed.
    where = {"page": page, "session": request.session.session_key or ""}
    request.session[REFUSAL_KEY] = {**where, **asdict(refused)}


def take(request: HttpRequest, page: str) -> Refusal | None:
    """The refusal ``keep`` kept for ``page``, once; another page's, or one from before
    the session's key changed, is dropped (it belongs to a page or a sign-in the user
    has left)."""
    kept = request.session.pop(REFUSAL_KEY, None)
    if not isinstance(kept, dict) or kept.get("page") != page:
        return None
    if kept.get("session") != (request.session.session_key or ""):
        return None
    return Refusal(
        message=str(kept.get("message", "")),
        dead=bool(kept.get("dead")),
        locked=bool(kept.get("locked")),
        remember=bool(kept.get("remember")),
    )


def show_kept(request: HttpRequest, page: str, context: dict[str, Any]) -> bool:
    """Show the refusal kept for ``page`` (``take``) on the page being rendered
    (``show``); whether there was one."""
    refused = take(request, page)
    if refused is not None:
        show(refused, context)
    return refused is not None


def show(refused: Refusal, context: dict[str, Any], field: str = "code") -> None:
    """Put ``refused`` on the page: its message on the code field of ``context["form"]``
    (so the field gets ``aria-invalid`` and ``aria-describedby``), the field disabled
    when dead, the send buttons hidden while the account waits."""
    form: Form = context["form"]
    # The form is unbound (nothing is posted on a GET, and the code is never echoed);
    # add_error expects the cleaned_data that only a bound form's validation creates.
    form.cleaned_data = {}
    form.add_error(field, refused.message)
    if refused.dead:
        context["dead"] = True
        form.fields[field].disabled = True
    if refused.locked:
        context["locked"] = True
    context["remember"] = refused.remember


def standing_message(standing: Any) -> str:
    """The wait, with the clock time it ends, or the lock with what to do: a
    ``Standing`` that is ``blocked``."""
    if standing.locked:
        return str(AccountLocked.default_message)
    message = gettext("Too many wrong codes. Please wait before you try again.")
    if standing.retry_after:
        until = clock_text(clock(standing.retry_after))
        when = pgettext("tyntec2fa", "You can try again at %(time)s.") % {"time": until}
        message = f"{message} {when}"
    return message


def standing_context(standing: Any, form: Form | None = None) -> dict[str, Any]:
    """What a code page shows of ``standing`` (``lockout.standing``) before anything is
    posted: while the account waits or is locked, the message (``locked_message``),
    the code field disabled (``dead``), and the wait's seconds for the countdown that
    enables the field and the send buttons again (``waiting``, includes/wait.html)."""
    blocked = standing.blocked
    waiting = 0 if standing.locked else standing.retry_after or 0
    if blocked and form is not None:
        field = form.fields["code"]
        field.disabled = True
        if waiting:
            field.widget.attrs["data-tyntec2fa-waiting"] = ""
    context: dict[str, Any] = {
        "standing": standing,
        "locked": blocked,
        "locked_message": standing_message(standing) if blocked else "",
        "waiting": waiting,
    }
    if blocked:
        context["dead"] = True
    return context


def is_early(error: Tyntec2FAError) -> bool:
    """A send pressed during the cooldown: the page already shows when it may."""
    return isinstance(error, ResendNotAllowed) and bool(error.retry_after)


def flash(request: HttpRequest, notice: str) -> None:
    """Keep ``notice`` (``EARLY`` or a translated message) for the next page."""
    request.session[NOTICE_KEY] = str(notice)


def take_notice(request: HttpRequest) -> str:
    """The notice ``flash`` kept, once; "" when there is none."""
    return str(request.session.pop(NOTICE_KEY, "") or "")


def confirm(request: HttpRequest, notice: str, *, app_page: bool) -> None:
    """Confirm what the user just did on the next page (issue 23.13). The phones page
    (``app_page``) shows the notice with ``role="status"`` (``flash``); a page of the
    project (where a sign-in or a sign-out goes on to) shows it through Django's
    messages when the project uses them, else the app's next page that shows notices."""
    if not app_page and getattr(request, "_messages", None) is not None:
        messages.success(request, notice)
        return
    flash(request, notice)
