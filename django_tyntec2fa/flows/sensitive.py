"""When an action needs a fresh second factor: the one rule, for every front end.

The user's own changes to how they prove who they are (adding, removing or choosing a
phone, a new set of recovery codes) need a second factor within
``TYNTEC2FA_STEP_UP_MAX_AGE`` in this session or API token (E2, E3, S10), whenever the
account has a confirmed phone. A password sign-in on a trusted browser (S9) proves no
recent code, and a code older than the window is not recent: both are refused, so a
session that never entered a code, or an old stolen one, cannot change the factors.

The flows call ``require_fresh`` before they change anything; the pages and the API
only render its ``StepUpRequired`` (the page: 403 with a link to the step-up; the API:
403 ``step_up_required``). The operators' actions (``flows.support``, the admin) act on
someone else's account under the admin's permission and never call it. Forgetting
trusted browsers and signing out everywhere take access away and need none:
docs/security.md says why, action by action.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ..core.policy import has_confirmed_device
from ..exceptions import StepUpRequired
from .common import recent_for


class Sensitive(Enum):
    """The user's own actions that need a fresh second factor; the value is the
    message of the refusal."""

    ADD_PHONE = _("Please confirm it is you with a code before you add a phone.")
    REMOVE_PHONE = _("Please confirm it is you with a code before you remove a phone.")
    MAKE_PRIMARY = _("Please confirm it is you with a code before you change your main phone.")
    RECOVERY_CODES = _("Please confirm it is you with a code before you generate recovery codes.")

    @property
    def message(self) -> str | Promise:
        """The refusal's message, translated when shown."""
        return self.value


def needs_fresh(request: HttpRequest | None, user: Any) -> bool:
    """True when ``user`` has a confirmed phone (a second factor to prove) and
    ``request`` carries no second factor of ``user`` within the window. A user without
    one has nothing to prove (the first phone is added and confirmed by its own code)."""
    return has_confirmed_device(user) and not recent_for(request, user)


def require_fresh(request: HttpRequest | None, user: Any, action: Sensitive) -> None:
    """Raise ``StepUpRequired`` when ``action`` by ``user`` in ``request`` needs a
    fresh second factor it does not have (``needs_fresh``); return otherwise."""
    if needs_fresh(request, user):
        name = action.name.lower().replace("_", " ")
        raise StepUpRequired(f"{name} needs a recent second factor", message=action.message)
