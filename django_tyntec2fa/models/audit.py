"""The audit trail: one row per security-relevant event (L8). Never holds a code or a
full phone number (G4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Append-only; the admin shows it read-only."""

    class Kind(models.TextChoices):
        CHALLENGE_SENT = "challenge_sent", _("Code sent")
        CHALLENGE_RESENT = "challenge_resent", _("Code sent again")
        VERIFIED = "verified", _("Second factor verified")
        FAILED = "failed", _("Wrong code")
        CHALLENGE_EXPIRED = "challenge_expired", _("Challenge expired")
        CHALLENGE_CANCELLED = "challenge_cancelled", _("Challenge cancelled")
        ACCOUNT_LOCKED = "account_locked", _("Account locked")
        ACCOUNT_UNLOCKED = "account_unlocked", _("Account unlocked")
        DEVICE_ADDED = "device_added", _("Phone added")
        DEVICE_CONFIRMED = "device_confirmed", _("Phone confirmed")
        DEVICE_REMOVED = "device_removed", _("Phone removed")
        DEVICE_PRIMARY = "device_primary", _("Primary phone changed")
        RATE_LIMITED = "rate_limited", _("Rate limited")
        PROVIDER_ERROR = "provider_error", _("Provider error")
        DISABLED = "disabled", _("Two-factor authentication disabled")
        DESTINATION_REFUSED = "destination_refused", _("Destination refused")
        DESTINATION_BLOCKED = "destination_blocked", _("Destination blocked")
        CONVERSION_BLOCK = "conversion_block", _("Destination blocked for low conversion")
        SEND_BUDGET_EXHAUSTED = "send_budget_exhausted", _("Send budget exhausted")
        LOOKUP_FAILED = "number_lookup_failed", _("Number lookup failed")
        BREAKER_OPENED = "breaker_opened", _("Provider circuit breaker opened")
        BREAKER_CLOSED = "breaker_closed", _("Provider circuit breaker closed")
        RECOVERY_GENERATED = "recovery_generated", _("Recovery codes generated")
        RECOVERY_USED = "recovery_used", _("Recovery code used")
        RECOVERY_FAILED = "recovery_failed", _("Wrong recovery code")
        RECOVERY_REVOKED = "recovery_revoked", _("Recovery codes revoked")
        BROWSER_TRUSTED = "browser_trusted", _("Browser trusted")
        BROWSER_SIGNIN = "browser_signin", _("Signed in on a trusted browser")
        BROWSER_REVOKED = "browser_revoked", _("Trusted browser revoked")
        VOICE_FALLBACK = "voice_fallback", _("Voice call placed as fallback")

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    kind = models.CharField(_("event"), max_length=24, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=200, blank=True)
    channel = models.CharField(_("channel"), max_length=5, blank=True)
    challenge_id = models.BigIntegerField(_("challenge"), null=True, blank=True)
    #: Masked, e.g. ``+49*******6789``.
    number = models.CharField(_("phone number (masked)"), max_length=16, blank=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M:%S})"
