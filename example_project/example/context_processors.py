"""Template context of the demo pages."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from django_tyntec2fa.core import session


def demo(request: HttpRequest) -> dict[str, bool]:
    """``outbox_enabled``: the outbox pages exist only with DEBUG. ``login_pending``: a
    login waits for its code, so the navigation offers nothing the gate would refuse."""
    return {
        "outbox_enabled": settings.DEBUG,
        # The outbox answers before the session middleware: it has no session.
        "login_pending": hasattr(request, "session") and session.has_pending_state(request),
    }
