"""The proof that an API token was minted after the second factor (S6).

DRF's ``TokenAuthentication`` accepts any token, including one from
``obtain_auth_token``, which needs a password only. ``api.authentication.
SecondFactorTokenAuthentication`` accepts a token only when a ``TokenProof`` exists for
it: the API writes one when it mints a token right after a verified code. The proof
holds digests, never the token itself, and is bound to the user's password: a password
change ends the token as it ends the user's sessions.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _


def digest(value: str) -> str:
    """SHA-256 hex digest: how keys and auth hashes are stored here."""
    return hashlib.sha256(value.encode()).hexdigest()


class TokenProof(models.Model):
    """One API token that passed the second factor, by the digest of its key."""

    key_digest = models.CharField(_("token digest"), max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="tyntec2fa_token_proofs",
        verbose_name=_("user"),
    )
    #: The latest second factor behind this token: minting, or a step-up with it.
    verified_at = models.DateTimeField(_("second factor at"), default=timezone.now)
    #: Digest of the user's session auth hash when minted (changes with the password).
    auth_digest = models.CharField(_("password binding"), max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("API token proof")
        verbose_name_plural = _("API token proofs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        # Never the digest: even that is not for logs or the admin list.
        return f"token proof #{self.pk} of user {self.user_id}"

    @classmethod
    def record(cls, key: str, user: Any) -> TokenProof:
        """Remember that the token ``key`` of ``user`` was minted after a second factor."""
        proof, _created = cls.objects.update_or_create(
            key_digest=digest(key),
            defaults={
                "user": user,
                "verified_at": timezone.now(),
                "auth_digest": digest(user.get_session_auth_hash()),
            },
        )
        return proof

    @classmethod
    def find(cls, key: str, user: Any) -> TokenProof | None:
        """The proof of ``user``'s token ``key`` if it still holds (same password)."""
        proof = cls.objects.filter(key_digest=digest(key), user_id=user.pk).first()
        if proof is None:
            return None
        if not constant_time_compare(proof.auth_digest, digest(user.get_session_auth_hash())):
            return None
        return proof
