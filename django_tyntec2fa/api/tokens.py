"""API tokens, minted only after the second factor (S6).

``TYNTEC2FA_API_TOKEN_ISSUER`` names a callable ``(request, user) -> dict``; the dict is
the ``token`` of the verify answer. Unset, DRF's authtoken is used when
``rest_framework.authtoken`` is installed; ``""`` turns tokens off (sessions only).

The API calls the issuer only after ``flows`` verified a code: a login, the enrollment
that completes a login, nothing else. An issuer of another token type (JWT, Knox) must
make its authentication check that the token came from here, e.g. with a claim; checks
E015 and W022 report authentication classes that are not known to do so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.db import DatabaseError, transaction
from django.http import HttpRequest
from django.utils.module_loading import import_string
from rest_framework.request import Request

from ..conf import app_settings
from ..models import TokenProof
from ..models.token_proof import digest
from .authentication import AUTHTOKEN_APP, SecondFactorTokenAuthentication
from .errors import TokenUnavailable

logger = logging.getLogger(__name__)

Issuer = Callable[[HttpRequest, Any], dict[str, Any]]


def get_issuer() -> Issuer | None:
    """The configured issuer, or None when this site issues no tokens."""
    path = app_settings.API_TOKEN_ISSUER
    if path is None:
        return authtoken_issuer if apps.is_installed(AUTHTOKEN_APP) else None
    return import_string(path) if path else None


def check_ready(issuer: Issuer) -> None:
    """Before a code is checked for a token: can ``issuer`` mint one? For DRF's
    authtoken its table must be there (``manage.py migrate``; check E036 says so at
    start-up): else ``TokenUnavailable`` (503), and the code is not used up. A custom
    issuer cannot be asked beforehand; ``issue`` undoes its failure."""
    if issuer is not authtoken_issuer:
        return
    from rest_framework.authtoken.models import Token

    try:
        with transaction.atomic():  # a savepoint: a failed query spoils no transaction
            Token.objects.exists()
    except DatabaseError as error:
        logger.error("API tokens cannot be issued: %s (run manage.py migrate)", error)
        raise TokenUnavailable() from None


def issue(request: HttpRequest, user: Any) -> dict[str, Any]:
    """Mint a token for ``user``, who has just passed the second factor. Raises
    ``TokenUnavailable`` when the issuer fails with a database error (in a savepoint,
    so the request's transaction stays usable)."""
    issuer = get_issuer()
    if issuer is None:
        raise RuntimeError("no API token issuer is configured")
    try:
        with transaction.atomic():
            return dict(issuer(request, user))
    except DatabaseError as error:
        logger.error("The API token of user %s could not be issued: %s", user.pk, error)
        raise TokenUnavailable() from None


def authtoken_issuer(request: HttpRequest, user: Any) -> dict[str, Any]:
    """DRF's authtoken: one token per user, replaced on every login (a new secret for a
    new authentication, as S3 asks of sessions), so a new login ends the user's other
    token clients. Use with ``SecondFactorTokenAuthentication``."""
    from rest_framework.authtoken.models import Token

    with transaction.atomic():
        for old in Token.objects.select_for_update().filter(user=user):
            TokenProof.objects.filter(key_digest=digest(old.key)).delete()
            old.delete()
        token = Token.objects.create(user=user)
        TokenProof.record(token.key, user)
    return {"scheme": "Token", "key": token.key}


def revoke(request: Request) -> bool:
    """Revoke the token that authenticated ``request`` (an ``authtoken_issuer`` token
    with its proof): it no longer authenticates anybody. Returns False when the request
    was not authenticated by such a token. A custom issuer's tokens (JWT, Knox) end as
    that issuer's authentication decides."""
    if not isinstance(request.successful_authenticator, SecondFactorTokenAuthentication):
        return False
    token = request.auth
    with transaction.atomic():
        TokenProof.objects.filter(key_digest=digest(token.key)).delete()
        token.delete()
    return True
