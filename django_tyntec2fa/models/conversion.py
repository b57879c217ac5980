"""Conversion monitoring (P4, R4): the temporary blocks it imposes and the operators'
safe list. The counts themselves live in the rate-limit cache; ``conversion.py``
does the counting and decides the blocks.
"""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..abuse.masking import mask_number
from ..abuse.phone import normalize_number
from ..exceptions import DeviceError


class Scope(models.TextChoices):
    """What a counter or a block is about."""

    COUNTRY = "country", _("country")
    PREFIX = "prefix", _("number prefix")


class DestinationBlock(models.Model):
    """New sends to a country or prefix are refused until ``until`` (P4).

    ``level`` counts repeated blocks of the same destination: each one lasts twice as
    long as the one before. An operator lifts a block by deleting it or moving
    ``until`` into the past.
    """

    scope = models.CharField(_("scope"), max_length=7, choices=Scope.choices)
    value = models.CharField(_("value"), max_length=16)
    created_at = models.DateTimeField(_("since"), default=timezone.now)
    until = models.DateTimeField(_("until"), db_index=True)
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    #: What the window held when the block started, for the operator.
    sends = models.PositiveIntegerField(_("codes sent"), default=0)
    verifications = models.PositiveIntegerField(_("codes verified"), default=0)

    class Meta:
        verbose_name = _("destination block")
        verbose_name_plural = _("destination blocks")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["scope", "value", "until"], name="tyntec2fa_block_lookup")]

    def __str__(self) -> str:
        return f"{self.scope} {self.value} (level {self.level})"

    def is_active(self) -> bool:
        """True while the block refuses sends."""
        return self.until > timezone.now()


class SafeListEntry(models.Model):
    """A number, prefix or country that conversion blocks never stop (P4)."""

    class Kind(models.TextChoices):
        NUMBER = "number", _("phone number")
        PREFIX = "prefix", _("number prefix")
        COUNTRY = "country", _("country")

    kind = models.CharField(_("kind"), max_length=7, choices=Kind.choices)
    #: E.164 number, "+" and the leading digits of numbers, or an ISO 3166 region.
    value = models.CharField(
        _("value"),
        max_length=32,  # room for the operator's spaces; stored normalised (<= 16)
        help_text=_('E.164 number ("+4915123456789"), prefix ("+49151") or country ("DE").'),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("safe list entry")
        verbose_name_plural = _("safe list")
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="tyntec2fa_safelist_unique")
        ]

    def __str__(self) -> str:
        # Masked: str() appears in the admin's messages and history (G4).
        return f"{self.get_kind_display()} {self.masked_value}"

    @property
    def masked_value(self) -> str:
        """A number masked like everywhere else; prefixes and countries as they are."""
        return mask_number(self.value) if self.kind == self.Kind.NUMBER else self.value

    def clean(self) -> None:
        """Normalise ``value`` for its kind, so it matches what the flows compare."""
        text = (self.value or "").strip()
        if self.kind == self.Kind.NUMBER:
            try:
                self.value = normalize_number(text)
            except DeviceError as error:
                raise ValidationError({"value": error.message}) from None
        elif self.kind == self.Kind.PREFIX:
            digits = "".join(char for char in text if char.isdigit())
            if not text.startswith("+") or not 1 <= len(digits) <= 15:
                raise ValidationError({"value": _('A prefix is "+" and digits, e.g. "+49151".')})
            self.value = "+" + digits
        elif self.kind == self.Kind.COUNTRY:
            if text.upper() not in phonenumbers.SUPPORTED_REGIONS:
                raise ValidationError({"value": _('A country is an ISO 3166 code, e.g. "DE".')})
            self.value = text.upper()
