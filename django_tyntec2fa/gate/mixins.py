"""Class-based twins of ``decorators.py``. Put the mixin first among the bases, e.g.
``class Account(SecondFactorRequiredMixin, TemplateView)``, and set ``max_age`` on a
``RecentSecondFactorMixin`` view to override ``TYNTEC2FA_STEP_UP_MAX_AGE``."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse

from .decorators import acheck_second_factor, check_second_factor


class SecondFactorRequiredMixin:
    """The view needs a logged-in user who passed the second factor in this session."""

    login_url: str | None = None
    redirect_field_name: str = REDIRECT_FIELD_NAME
    raise_exception: bool = False
    #: Whether the second factor must be recent (``RecentSecondFactorMixin``).
    recent_second_factor: bool = False
    max_age: int | None = None

    def second_factor_response(self, request: HttpRequest) -> HttpResponse | None:
        """None when the request may proceed, else where to send it."""
        return check_second_factor(request, **self._second_factor_options())

    def _second_factor_options(self) -> dict[str, Any]:
        return {
            "recent": self.recent_second_factor,
            "max_age": self.max_age,
            "login_url": self.login_url,
            "redirect_field_name": self.redirect_field_name,
            "raise_exception": self.raise_exception,
        }

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if getattr(self, "view_is_async", False):
            return self._async_dispatch(request, *args, **kwargs)
        response = self.second_factor_response(request)
        if response is not None:
            return response
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    async def _async_dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if type(self).second_factor_response is SecondFactorRequiredMixin.second_factor_response:
            # A verified session passes on the event loop (``acheck_second_factor``).
            response = await acheck_second_factor(request, **self._second_factor_options())
        else:  # a subclass decides itself, synchronously
            response = await sync_to_async(self.second_factor_response)(request)
        if response is not None:
            return response
        return await super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class RecentSecondFactorMixin(SecondFactorRequiredMixin):
    """Also needs a second factor within ``max_age`` seconds (default
    ``TYNTEC2FA_STEP_UP_MAX_AGE``); older sends the user to the step-up page (S10)."""

    recent_second_factor = True
