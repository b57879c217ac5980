"""What a pending login may reach: each view says it itself, with one attribute that
the gate (``middleware.py``) reads. Nothing else is reachable until the code is right.

- ``PendingAccess.STEP``: a step of the second factor itself (the challenge, sending a
  code, enrollment, cancelling): served to the pending login;
- ``PendingAccess.LOGIN``: a login view: logging in again replaces the pending login;
- ``PendingAccess.LOGOUT``: a logout view: logging out always works and ends the
  pending login with its code.

Function views take ``@pending_access(...)``; class-based views (Django's or DRF's)
set the class attribute ``pending_access``. Django's own ``LoginView`` (and any
subclass) and the views named by ``LOGIN_URL`` / ``LOGOUT_URL`` count without it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, TypeVar

View = TypeVar("View", bound=Callable[..., Any])

#: The attribute's name, on a view function or a view class.
ATTRIBUTE = "pending_access"


class PendingAccess(enum.StrEnum):
    """How a pending login may use a view (see the module docstring)."""

    STEP = "step"
    LOGIN = "login"
    LOGOUT = "logout"


def pending_access(access: PendingAccess = PendingAccess.STEP) -> Callable[[View], View]:
    """Mark a function view as reachable by a pending login (outermost decorator)."""

    def mark(view: View) -> View:
        setattr(view, ATTRIBUTE, access)
        return view

    return mark


def access_of(view: Any) -> PendingAccess | None:
    """What ``view`` (a resolved URL's function) allows a pending login, or None."""
    access = getattr(view, ATTRIBUTE, None)
    if access is None:
        # Class-based views: Django's as_view() keeps the class on the function.
        access = getattr(getattr(view, "view_class", None), ATTRIBUTE, None)
    return PendingAccess(access) if access is not None else None
