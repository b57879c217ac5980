"""A user's phone: where second-factor codes go. State only, no I/O."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..abuse.masking import mask_number
from ..choices import Channel


class PhoneDevice(models.Model):
    """One phone number of a user. Only a confirmed device can receive login codes (E1)."""

    #: The channel vocabulary, also under this older name.
    Channel = Channel

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="tyntec2fa_devices",
        verbose_name=_("user"),
    )
    #: E.164, normalised with phonenumbers before it is saved.
    number = models.CharField(_("phone number"), max_length=16)
    label = models.CharField(_("label"), max_length=64, blank=True)
    channel = models.CharField(
        _("preferred channel"), max_length=5, choices=Channel.choices, default=Channel.SMS
    )
    #: Language of the messages; empty means the language active when the code is sent.
    language = models.CharField(_("language"), max_length=35, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)
    confirmed = models.BooleanField(_("confirmed"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("phone device")
        verbose_name_plural = _("phone devices")
        ordering = ["user_id", "-is_primary", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "number"], name="tyntec2fa_device_unique_number"
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(is_primary=True),
                name="tyntec2fa_device_one_primary",
            ),
            # One account per confirmed number: two accounts that enrolled it before
            # either confirmed cannot both confirm it (issue 23.8).
            models.UniqueConstraint(
                fields=["number"],
                condition=Q(confirmed=True),
                name="tyntec2fa_device_one_owner",
            ),
        ]

    def __str__(self) -> str:
        # Masked: str() is shown in the admin, logs and error reports (G4).
        return self.label or self.masked_number

    @property
    def masked_number(self) -> str:
        """The number as users and support see it, e.g. ``+49*******6789``."""
        return mask_number(self.number)
