"""Template context of the demo pages."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def demo(request: HttpRequest) -> dict[str, bool]:
    """``outbox_enabled``: the outbox pages exist only with DEBUG."""
    return {"outbox_enabled": settings.DEBUG}
