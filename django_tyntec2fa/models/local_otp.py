"""The local provider's OTP record: tyntec's ``OtpStatusEntity`` kept in the database.

State only; the rules (expiry, attempts, hashing, delivery) live in
``providers/local.py``. The code itself is never stored, only a keyed HMAC of it (G3).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..abuse.masking import mask_number
from ..choices import Channel

#: What a delivery went out on: ``AUTO`` is resolved to one of these before saving.
DELIVERED_CHANNELS = [(Channel.SMS.value, _("SMS")), (Channel.VOICE.value, _("Voice"))]


class LocalOtp(models.Model):
    """One OTP of ``providers.local.LocalProvider``; deleting the OTP deletes the row."""

    class Status(models.TextChoices):
        """Mirrors ``providers.base.OtpState`` (tyntec's ``otpStatus``)."""

        ACTIVE = "ACTIVE", _("Active")
        VERIFIED = "VERIFIED", _("Verified")
        EXPIRED = "EXPIRED", _("Expired")
        TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS", _("Too many attempts")

    otp_id = models.UUIDField(_("OTP id"), unique=True, default=uuid.uuid4, editable=False)
    # Indexed for list_for_number (tyntec's GET /2fa/v1/otp?number=...).
    number = models.CharField(_("number"), max_length=16, db_index=True)
    code_hash = models.CharField(_("code hash"), max_length=128, editable=False)
    pin_length = models.PositiveSmallIntegerField(_("PIN length"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    attempt_count = models.PositiveIntegerField(_("attempt count"), default=0)
    max_attempts = models.PositiveIntegerField(_("maximum attempts"))
    created = models.DateTimeField(_("created"), default=timezone.now)
    expires = models.DateTimeField(_("expires"))
    # Empty strings stand for tyntec's null: two "empty" values per column would be ambiguous.
    application_id = models.CharField(_("application id"), max_length=64, blank=True)
    reference_id = models.CharField(_("reference id"), max_length=255, blank=True)
    channel = models.CharField(_("channel"), max_length=5, choices=DELIVERED_CHANNELS)
    language = models.CharField(_("language"), max_length=35)  # BCP 47 tags fit in 35
    #: tyntec ``StatusEvent`` dicts: ``{"created", "type", "status", "statusText"}``.
    events = models.JSONField(_("events"), default=list, blank=True)

    class Meta:
        verbose_name = _("local one-time password")
        verbose_name_plural = _("local one-time passwords")
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        # Masked: str() shows up in the admin, logs and error reports (G4).
        return f"{self.otp_id} ({mask_number(self.number)}, {self.status})"
