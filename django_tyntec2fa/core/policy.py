"""Who needs a second factor.

A user with a confirmed phone always does. ``TYNTEC2FA_REQUIRED`` can require it of
more users (they are sent to enrollment after the password step): a callable
``user -> bool`` or its import path, e.g. ``"django_tyntec2fa.core.policy.staff_required"``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.utils.module_loading import import_string

from ..conf import app_settings
from ..models import PhoneDevice


def confirmed_devices(user: Any) -> QuerySet[PhoneDevice]:
    """The user's confirmed phones, the one a login code goes to first (E1: never an
    unconfirmed one)."""
    return PhoneDevice.objects.filter(user_id=user.pk, confirmed=True).order_by(
        "-is_primary", "created_at", "pk"
    )


def has_confirmed_device(user: Any) -> bool:
    """True when ``user`` has at least one confirmed phone (one query; False for
    anonymous users, without a query)."""
    if user is None or getattr(user, "pk", None) is None:
        return False
    return confirmed_devices(user).exists()


def login_device(user: Any) -> PhoneDevice | None:
    """The phone a login code goes to: the user's primary confirmed phone, or None
    (one query; None for anonymous users, without a query). Not None exactly when
    ``has_confirmed_device`` is True, so the login asks the database once for both."""
    if user is None or getattr(user, "pk", None) is None:
        return None
    return confirmed_devices(user).first()


def login_devices(user: Any) -> list[PhoneDevice]:
    """The user's confirmed phones, the one a login code goes to first (one query;
    empty for anonymous users, without a query). ``[0]`` is ``login_device``."""
    if user is None or getattr(user, "pk", None) is None:
        return []
    return list(confirmed_devices(user))


#: ``requires_second_factor``'s ``device`` when the caller has not loaded it.
_UNKNOWN: Any = object()


def requires_second_factor(user: Any, *, device: PhoneDevice | None = _UNKNOWN) -> bool:
    """True when ``user`` must pass (or, without a phone, enroll) a second factor: the
    one answer to "who owes a second factor", for the login, the gate and the API.

    ``device``: the user's ``login_device``, when the caller already loaded it (the
    login asks the database once for "required?" and "which phone?"). Raises
    ``ImproperlyConfigured`` when ``TYNTEC2FA_REQUIRED`` is neither None, a callable
    nor the import path of one.
    """
    if user is None or getattr(user, "pk", None) is None:
        return False
    has_phone = has_confirmed_device(user) if device is _UNKNOWN else device is not None
    return has_phone or rule_requires(user)


def rule_requires(user: Any) -> bool:
    """True when ``TYNTEC2FA_REQUIRED`` asks a second factor of ``user``, whatever
    phones they have (no query of this app's own). Raises ``ImproperlyConfigured``
    like ``requires_second_factor``."""
    rule = _required_rule()
    return bool(rule(user)) if rule is not None else False


def staff_required(user: Any) -> bool:
    """A ``TYNTEC2FA_REQUIRED`` rule: staff and superusers must use a second factor."""
    return bool(getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))


def all_users(user: Any) -> bool:
    """A ``TYNTEC2FA_REQUIRED`` rule: every user must use a second factor."""
    return True


def _required_rule() -> Callable[[Any], Any] | None:
    value = app_settings.REQUIRED
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = import_string(value)
        except ImportError as error:
            raise ImproperlyConfigured(
                f"TYNTEC2FA_REQUIRED {app_settings.REQUIRED!r} cannot be imported."
            ) from error
    if not callable(value):
        raise ImproperlyConfigured("TYNTEC2FA_REQUIRED must be a callable or its import path.")
    return value
