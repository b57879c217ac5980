"""Recovery codes: the way in when the phone is lost (R1). State only.

A code is stored only as a keyed hash (HMAC-SHA256 under a key derived from
``SECRET_KEY``), never in clear: not in a column, the admin, a log or the audit trail.
One row per code; using a code sets ``used_at`` with a conditional UPDATE, so of K
concurrent uses exactly one wins (``flows/recovery.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RecoveryCode(models.Model):
    """One recovery code of a user, by its keyed hash."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="tyntec2fa_recovery_codes",
        verbose_name=_("user"),
    )
    #: HMAC-SHA256 hex of the normalised code; never the code.
    digest = models.CharField(_("code hash"), max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        ordering = ["user_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "digest"], name="tyntec2fa_recovery_unique_digest"
            ),
        ]

    def __str__(self) -> str:
        # Never the digest.
        return f"recovery code #{self.pk} of user {self.user_id}"
