"""A pending one-time-password challenge: the provider OTP behind one login, enrollment
or step-up. State and policy only; ``flows.py`` does the I/O."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import Channel, Purpose
from .device import PhoneDevice

#: The ``provider_otp_id`` of a challenge that sent nothing (``Challenge.is_phantom``):
#: no provider's id looks like it (tyntec's are UUIDs).
PHANTOM_OTP_ID = "phantom: nothing sent"


class Challenge(models.Model):
    """At most one live challenge per user and purpose, enforced by the database."""

    #: The purpose vocabulary, also under this name.
    Purpose = Purpose

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        VERIFIED = "verified", _("Verified")
        FAILED = "failed", _("Failed")  # attempts used up
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="tyntec2fa_challenges",
        verbose_name=_("user"),
    )
    #: Empty once the phone was removed: a challenge is a record of what happened and
    #: outlives its phone. Removing a phone cancels its live challenges first
    #: (``flows.devices``), so only finished challenges lose their phone.
    device = models.ForeignKey(
        PhoneDevice,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="challenges",
        verbose_name=_("device"),
    )
    purpose = models.CharField(_("purpose"), max_length=8, choices=Purpose.choices)
    status = models.CharField(
        _("status"), max_length=9, choices=Status.choices, default=Status.PENDING
    )
    #: The provider's OTP id. Kept server-side only; a client never supplies it (G5).
    provider_otp_id = models.CharField(_("provider OTP id"), max_length=128, blank=True)
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(_("maximum attempts"))
    resend_count = models.PositiveIntegerField(_("resends"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    #: Decided on the server clock, whatever the provider says (G6).
    expires_at = models.DateTimeField(_("expires"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    #: Set while one request asks the provider about a code, with no transaction open
    #: during that call; other checks of this challenge wait until it ends (flows/verify.py).
    checking_until = models.DateTimeField(
        _("code check running until"), null=True, blank=True, editable=False
    )
    #: When the app called the phone by itself because the SMS was not delivered
    #: (``TYNTEC2FA_AUTO_VOICE_FALLBACK``); set by one conditional UPDATE, so the call
    #: is placed once per challenge however many workers see it due (flows/delivery.py).
    voice_fallback_at = models.DateTimeField(
        _("voice fallback placed"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "purpose"],
                condition=Q(status="pending"),
                name="tyntec2fa_challenge_one_live_per_purpose",
            )
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="tyntec2fa_chal_status_exp"),
            # A code check reads the user's latest challenge of a purpose, whatever its
            # status: without this index that read sorts the user's whole history.
            models.Index(
                fields=["user", "purpose", "-created_at", "-id"], name="tyntec2fa_chal_latest"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} #{self.pk} ({self.get_status_display()})"

    @property
    def is_phantom(self) -> bool:
        """No OTP at the provider: the enrollment of a number another account has
        confirmed answered like any other, but sent nothing, and no code confirms it
        (``flows.devices.enroll``, issue 23.1)."""
        return self.provider_otp_id == PHANTOM_OTP_ID

    def is_live(self, now: object = None) -> bool:
        """Pending, not past its expiry on the server clock, and its phone still there."""
        moment = now or timezone.now()
        return (
            self.status == self.Status.PENDING
            and self.device_id is not None
            and moment < self.expires_at  # type: ignore[operator]
        )
