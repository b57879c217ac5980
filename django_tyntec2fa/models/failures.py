"""The per-account failure counter (L2, L3): wrong codes across every challenge."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FailureCounter(models.Model):
    """Consecutive second-factor failures of one account.

    Only a successful verification (or an operator) resets it, never a resend or a new
    challenge (L3). ``blocked_until`` carries the growing wait; ``locked`` is the cap (L2).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="tyntec2fa_failures",
        verbose_name=_("user"),
    )
    failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    last_failure_at = models.DateTimeField(_("last failure"), null=True, blank=True)
    blocked_until = models.DateTimeField(_("blocked until"), null=True, blank=True)
    locked = models.BooleanField(_("locked"), default=False)

    class Meta:
        verbose_name = _("failure counter")
        verbose_name_plural = _("failure counters")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.failures}"
