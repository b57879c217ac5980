"""A browser the user chose to trust: it skips the code at that user's next password
sign-ins until it expires or is revoked (R2). State only.

The cookie holds the row's id and a random secret; the row holds a keyed hash of the
secret, never the secret, and the digest of the user's session auth hash when it was
trusted, so a password change ends the trust as it ends the user's sessions.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TrustedBrowser(models.Model):
    """One trusted browser of one user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="tyntec2fa_trusted_browsers",
        verbose_name=_("user"),
    )
    #: Keyed hash (HMAC-SHA256 hex) of the cookie's secret.
    secret_digest = models.CharField(_("secret hash"), max_length=64)
    #: Digest of the user's session auth hash when trusted (changes with the password).
    auth_digest = models.CharField(_("password binding"), max_length=64)
    #: A short description from the User-Agent, e.g. "Firefox on Linux".
    description = models.CharField(_("browser"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("trusted"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), db_index=True)

    class Meta:
        verbose_name = _("trusted browser")
        verbose_name_plural = _("trusted browsers")
        ordering = ["user_id", "-created_at", "-pk"]

    def __str__(self) -> str:
        return self.description or f"trusted browser #{self.pk}"
