"""The app's two vocabularies, each defined once: the channel a code goes out on, and
what a code is for. Models, providers, flows, forms and the API all use these.

No model is imported here, so the session, the gate and the providers can use them
without loading the app's models.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """Where a code goes out, spelt as tyntec's ``via`` parameter spells it."""

    SMS = "SMS", _("SMS")
    VOICE = "VOICE", _("Voice call")
    #: tyntec picks SMS for mobile numbers and a call for landlines.
    AUTO = "AUTO", _("Automatic")


class Purpose(models.TextChoices):
    """What a code (a challenge, or a pending login) is for."""

    #: The second step of a sign-in: the user has a confirmed phone.
    LOGIN = "login", _("Login")
    #: Confirming a new phone; a pending login of this purpose must add a phone first.
    ENROLL = "enroll", _("Enrollment")
    #: A fresh second factor before a sensitive action.
    STEP_UP = "step_up", _("Step-up")
