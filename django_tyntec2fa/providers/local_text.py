"""The app's message texts (G8): name the service, say "do not share".

The local provider renders them with the code; ``template_text`` renders the same
texts with tyntec's ``{{OTP}}`` placeholder for the templates of the tyntec
application (``flows/application.py``), so a user reads the same words from either
provider. Built-in templates are translated with gettext under the OTP's language.
A caller's own ``text`` follows tyntec's placeholders: ``{{OTP}}`` is the code and
``{{SEC}}`` the lifetime in seconds. The code is substituted here, server-side, and
nothing else dynamic goes into a built-in text.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext, ngettext

from ..conf import app_settings
from .base import Channel

OTP_PLACEHOLDER = "{{OTP}}"
SEC_PLACEHOLDER = "{{SEC}}"


def spell_code(code: str) -> str:
    """``"012345"`` -> ``"0 1 2 3 4 5"``, so a text-to-speech voice reads digit by digit."""
    return " ".join(code)


def render_text(
    *, channel: Channel, code: str, language: str, ttl_seconds: int, text: str | None = None
) -> str:
    """The message the phone receives; VOICE spells the digits out."""
    spoken = spell_code(code) if channel is Channel.VOICE else code
    if text:
        return text.replace(OTP_PLACEHOLDER, spoken).replace(SEC_PLACEHOLDER, str(ttl_seconds))
    with translation.override(language):
        if channel is Channel.VOICE:
            return _voice_text(spoken)
        return _sms_text(code, ttl_seconds)


def template_text(*, channel: Channel, language: str, ttl_seconds: int) -> str:
    """The built-in text in ``language`` with ``{{OTP}}`` where the code goes, for a
    tyntec template: tyntec substitutes (and, in a call, speaks) the code itself. The
    lifetime is written out from ``ttl_seconds`` rather than tyntec's ``{{SEC}}``,
    which would say the application's expiry instead of the app's own (G6)."""
    with translation.override(language):
        if channel is Channel.VOICE:
            return _voice_text(OTP_PLACEHOLDER)
        return _sms_text(OTP_PLACEHOLDER, ttl_seconds)


def _service_prefix(sentence: str) -> str:
    service = app_settings.SERVICE_NAME
    if not service:
        return sentence
    # Translators: {service} is the site's name, {sentence} the rest of the message.
    return gettext("{service}: {sentence}").format(service=service, sentence=sentence)


def _sms_text(code: str, ttl_seconds: int) -> str:
    if ttl_seconds % 60 == 0:
        minutes = ttl_seconds // 60
        expiry = ngettext(
            "It expires in {count} minute.", "It expires in {count} minutes.", minutes
        ).format(count=minutes)
    else:
        expiry = ngettext(
            "It expires in {count} second.", "It expires in {count} seconds.", ttl_seconds
        ).format(count=ttl_seconds)
    return " ".join(
        (
            _service_prefix(gettext("Your verification code is {code}.").format(code=code)),
            expiry,
            gettext("Do not share it with anyone."),
        )
    )


def _voice_text(spoken: str) -> str:
    return " ".join(
        (
            _service_prefix(gettext("Your verification code is {code}.").format(code=spoken)),
            gettext("I repeat: {code}.").format(code=spoken),
            gettext("Do not share it with anyone."),
        )
    )
