"""System checks for the side doors around the second factor (S6); registered in
``django_tyntec2fa/checks.py``.

- W014: a view that mints API tokens from a password alone is routed (DRF's
  ``obtain_auth_token``, simplejwt's ``TokenObtainPairView``, ...).
- E015: ``REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]`` holds a class known to
  skip the second factor (HTTP Basic, DRF's plain tokens, JWT, Knox).
- W022: it holds a class not known either way (formerly W015: a Warning and an Error
  never share a number).
- W036 (a database check): ``rest_framework.authtoken`` issues the API's tokens but its
  migrations are not applied (a Warning, so ``migrate`` itself still runs).

Views and classes are recognised by the dotted names of their classes (their whole
MRO, so subclasses count), never by importing the packages named here: this module
imports no REST framework, and runs in projects without it. A view or class that does
enforce the second factor may say so with ``tyntec2fa_second_factor = True``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from django.core.exceptions import ImproperlyConfigured, ViewDoesNotExist
from django.urls import URLResolver, get_resolver
from django.utils.module_loading import import_string

#: DRF's authtoken app: its import path and its label (migrations, the table).
AUTHTOKEN_APP = "rest_framework.authtoken"
AUTHTOKEN_LABEL = "authtoken"
#: Views that answer a password (or HTTP Basic) with an API token.
TOKEN_VIEWS = frozenset(
    {
        "rest_framework.authtoken.views.ObtainAuthToken",
        "rest_framework_simplejwt.views.TokenObtainPairView",
        "rest_framework_simplejwt.views.TokenObtainSlidingView",
        "rest_framework_jwt.views.ObtainJSONWebToken",
        "rest_framework_jwt.views.ObtainJSONWebTokenView",
        "knox.views.LoginView",
        "djoser.views.TokenCreateView",
        "dj_rest_auth.views.LoginView",
    }
)
#: Authentication classes a pending login cannot pass: the session (the pending login
#: holds no login, S1) and tokens minted after the second factor.
GATED_AUTHENTICATION = frozenset(
    {
        "rest_framework.authentication.SessionAuthentication",
        "django_tyntec2fa.api.authentication.SecondFactorTokenAuthentication",
    }
)
#: Authentication classes that accept a password or a token without a second factor.
UNGATED_AUTHENTICATION = frozenset(
    {
        "rest_framework.authentication.BasicAuthentication",
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework_simplejwt.authentication.JWTStatelessUserAuthentication",
        "knox.auth.TokenAuthentication",
    }
)
#: DRF's own default when the setting is absent.
DRF_DEFAULT_AUTHENTICATION = (
    "rest_framework.authentication.SessionAuthentication",
    "rest_framework.authentication.BasicAuthentication",
)
#: How many decorator layers (``__wrapped__``) are followed to find a view.
MAX_WRAPPERS = 10
MARKER = "tyntec2fa_second_factor"


def dotted_names(target: Any) -> set[str]:
    """``module.QualName`` of ``target`` and, for a class, of every class in its MRO."""
    classes = target.__mro__ if isinstance(target, type) else (target,)
    return {f"{item.__module__}.{item.__qualname__}" for item in classes}


def _view_target(callback: Any) -> Any:
    """The class behind a routed view (``as_view()``), else the function itself."""
    for _layer in range(MAX_WRAPPERS):
        found = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        if found is not None:
            return found
        if not hasattr(callback, "__wrapped__"):
            break
        callback = callback.__wrapped__
    return callback


def _routes(patterns: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, route)
        else:
            yield route, entry.callback


def routed_token_views() -> list[CheckMessage]:
    """W014, one per route of a token view that skips the second factor."""
    try:
        routes = list(_routes(get_resolver().url_patterns))
    except (ImportError, ImproperlyConfigured, ViewDoesNotExist):
        return []  # Django's own URL checks report a broken URLconf
    found = []
    for route, callback in routes:
        target = _view_target(callback)
        names = dotted_names(target) & TOKEN_VIEWS
        if names and not getattr(target, MARKER, False):
            found.append(
                Warning(
                    f"The URL {route!r} routes {min(names)}, which issues API tokens for a "
                    "password alone: it skips the second factor.",
                    hint="Remove the route; clients get their token from "
                    "django_tyntec2fa.api (login, then challenge/verify with "
                    '"token": true), after the second factor.',
                    id="django_tyntec2fa.W014",
                )
            )
    return found


def _configured_classes() -> list[Any] | None:
    config = getattr(settings, "REST_FRAMEWORK", None)
    if config is None and not apps.is_installed("rest_framework"):
        return None  # no REST framework in this project
    return list((config or {}).get("DEFAULT_AUTHENTICATION_CLASSES", DRF_DEFAULT_AUTHENTICATION))


def classify(entry: Any) -> str:
    """``"gated"``, ``"ungated"`` or ``"unknown"`` for an authentication class or its path."""
    try:
        target = import_string(entry) if isinstance(entry, str) else entry
    except ImportError:
        return "unknown"
    names = dotted_names(target) if isinstance(target, type) else set()
    if getattr(target, MARKER, False) is True or names & GATED_AUTHENTICATION:
        return "gated"
    return "ungated" if names & UNGATED_AUTHENTICATION else "unknown"


def authentication_classes() -> list[CheckMessage]:
    """E015 for classes known to skip the second factor, W022 for unknown ones."""
    found: list[CheckMessage] = []
    for entry in _configured_classes() or []:
        name = entry if isinstance(entry, str) else f"{entry.__module__}.{entry.__qualname__}"
        kind = classify(entry)
        hint = (
            "Use 'rest_framework.authentication.SessionAuthentication' and "
            "'django_tyntec2fa.api.authentication.SecondFactorTokenAuthentication'; a class "
            f"that checks the second factor itself may set {MARKER} = True."
        )
        if kind == "ungated":
            message = f"DEFAULT_AUTHENTICATION_CLASSES holds {name}, which skips the second factor."
            found.append(Error(message, hint=hint, id="django_tyntec2fa.E015"))
        elif kind == "unknown":
            message = (
                f"DEFAULT_AUTHENTICATION_CLASSES holds {name}, which is not known to enforce "
                "the second factor."
            )
            found.append(Warning(message, hint=hint, id="django_tyntec2fa.W022"))
    return found


def authtoken_unmigrated(databases: Sequence[str] | None) -> list[CheckMessage]:
    """W036, once per database in ``databases`` that should hold DRF's authtoken table
    but lacks migrations of it, naming them. Only when authtoken issues the API's
    tokens (installed, ``TYNTEC2FA_API_TOKEN_ISSUER`` unset): without its table a login
    that asks for a token is refused (503 ``token_unavailable``)."""
    from django.db import DatabaseError, connections, router
    from django.db.migrations.loader import MigrationLoader

    from ..conf import app_settings

    if not apps.is_installed(AUTHTOKEN_APP) or app_settings.API_TOKEN_ISSUER is not None:
        return []
    found: list[CheckMessage] = []
    for alias in databases or ():
        if not router.allow_migrate(alias, AUTHTOKEN_LABEL):
            continue
        try:
            loader = MigrationLoader(connections[alias], ignore_no_migrations=True)
        except DatabaseError:
            continue  # Django's own checks report a database that cannot be reached
        missing = sorted(
            f"{app}.{name}"
            for app, name in loader.graph.nodes
            if app == AUTHTOKEN_LABEL and (app, name) not in loader.applied_migrations
        )
        if missing:
            found.append(
                Warning(
                    f"rest_framework.authtoken issues the API's tokens, but the database "
                    f"{alias!r} lacks its migrations {', '.join(missing)}: every login "
                    "that asks for an API token is refused until they are applied.",
                    hint=f"Run 'python manage.py migrate {AUTHTOKEN_LABEL}' (or migrate).",
                    id="django_tyntec2fa.W036",
                )
            )
    return found
