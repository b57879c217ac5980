"""A gateway for django-two-factor-auth: its SMS and call tokens delivered by tyntec.

::

    TWO_FACTOR_SMS_GATEWAY = "django_tyntec2fa.contrib.two_factor.TyntecGateway"
    TWO_FACTOR_CALL_GATEWAY = "django_tyntec2fa.contrib.two_factor.TyntecGateway"

django-two-factor-auth makes the token (a TOTP of the phone device's key) and checks it
itself; tyntec only delivers it, as the ``otpCode`` of a send, so tyntec never checks a
code here. The send goes through the app's ``TyntecProvider`` (one per process): its
timeouts, its retry rule, its circuit breaker and its log redaction apply, and before it
the app's destination policy (countries, number types: P1, P2). This module
imports nothing of django-two-factor-auth: a device is anything with ``number`` (a
``PhoneNumber`` or an E.164 string). docs/two_factor.md.
"""

from __future__ import annotations

import logging
from typing import Any

from django.utils import translation
from django.views.decorators.debug import sensitive_variables

from ..abuse import destinations
from ..abuse.masking import mask_number
from ..choices import Channel
from ..exceptions import Tyntec2FAError
from ..providers import OtpStatus, Provider, get_provider

logger = logging.getLogger(__name__)

TYNTEC_PROVIDER = "django_tyntec2fa.providers.tyntec.TyntecProvider"


class TyntecGateway:
    """django-two-factor-auth's gateway interface, ``send_sms`` and ``make_call``.

    A refused or failed send is logged (masked number, no token) and the error is
    raised again, as django-two-factor-auth's own gateways let theirs through: its
    phone setup catches it and says the code could not be sent; its login step does
    not catch it, so the site answers with its error page (docs/two_factor.md).
    """

    #: Import path of the provider; a subclass may name a ``TyntecProvider`` subclass.
    provider_path: str = TYNTEC_PROVIDER

    @sensitive_variables("token", "device", "number")
    def send_sms(self, device: Any, token: str) -> OtpStatus:
        """Text ``token`` to the device's number."""
        return self.deliver(device, token, Channel.SMS)

    @sensitive_variables("token", "device", "number")
    def make_call(self, device: Any, token: str) -> OtpStatus:
        """Read ``token`` out in a voice call to the device's number."""
        return self.deliver(device, token, Channel.VOICE)

    def language_for(self, device: Any) -> str | None:
        """The language of the message, ISO 639-1: the active language's (the
        request's, through ``LocaleMiddleware``), e.g. ``"de"`` for ``"de-at"``.

        Override it to use a language stored with the user; None lets tyntec choose
        by the number's country. tyntec falls back to English when its application
        has no template for the language.
        """
        language = translation.get_language()
        if not language:
            return None
        return language.replace("_", "-").split("-")[0].lower() or None

    def provider(self) -> Provider:
        """The process's provider for ``provider_path`` (one keep-alive session)."""
        return get_provider(self.provider_path)

    @sensitive_variables("token", "device", "number")
    def deliver(self, device: Any, token: str, channel: Channel) -> OtpStatus:
        """Send ``token`` as the OTP code on ``channel``. Raises ``DestinationRefused``
        (a country or number type the settings refuse) or the provider's
        ``ProviderError``, after one masked log record."""
        number = str(getattr(device.number, "as_e164", device.number))
        try:
            # Free and without I/O, so before tyntec is paid: premium-rate numbers and
            # countries outside TYNTEC2FA_SMS_COUNTRIES / _VOICE_COUNTRIES get nothing.
            destinations.check_destination(number, channel)
            return self.provider().send(
                number,
                via=channel,
                language=self.language_for(device),
                otp_code=token,
                pin_length=len(token),
            )
        except Tyntec2FAError as error:
            # error.detail names the rule or the failed operation, never the code or
            # the number (G4); the provider logged its own record of a call already.
            logger.warning(
                "django-two-factor-auth %s to %s not sent: %s (%s)",
                channel.value,
                mask_number(number),
                error.code,
                error.detail,
            )
            raise
