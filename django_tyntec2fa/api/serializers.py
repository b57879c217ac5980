"""Serializers of the API: the shape of requests and answers, nothing more.

Input serializers check shape only (types, lengths, choices); the rules (code format
L6, number normalisation U2, ownership, limits) live in ``flows``. Another user's
device id is an invalid choice, never a lookup (IDOR, E2).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..choices import Channel
from ..flows.codes import MAX_INPUT as CODE_MAX_CHARS
from ..flows.rules import cooldown_seconds
from ..models import Challenge, PhoneDevice

CHANNELS = Channel.choices
#: The states a login can be in, as the answers name them.
LOGIN_STATES = ("anonymous", "second_factor_required", "enrollment_required", "authenticated")


# --- Requests --------------------------------------------------------------------------


class TextField(serializers.CharField):
    """A ``CharField`` that takes JSON strings only. DRF's own turns a number into a
    string, which the schema (``type: string``) does not allow: 400 instead."""

    def to_internal_value(self, data: Any) -> str:
        """The string, or the field's "Not a valid string." error."""
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class FlagField(serializers.BooleanField):
    """A ``BooleanField`` that takes JSON ``true`` and ``false`` only. DRF's own also
    takes ``0``, ``"yes"`` and ``"on"``, which the schema (``type: boolean``) does not
    allow: 400 instead."""

    def to_internal_value(self, data: Any) -> bool:
        """The boolean, or the field's "Must be a valid boolean." error."""
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class LoginSerializer(serializers.Serializer):
    """The password step."""

    username = TextField(max_length=254)
    password = TextField(
        max_length=4096, trim_whitespace=False, write_only=True, style={"input_type": "password"}
    )
    token = FlagField(
        default=False,
        help_text=_("An app without cookies: answer a login_token and, after the code, a token."),
    )


class LogoutSerializer(serializers.Serializer):
    """Log out; ``everywhere`` also ends what the app keeps for the user."""

    everywhere = FlagField(
        default=False,
        help_text=_(
            "Sign out everywhere: also forget every trusted browser and end every API "
            "token of the user."
        ),
    )


class CodeSerializer(serializers.Serializer):
    """A one-time code, from the body only (S7)."""

    code = TextField(max_length=CODE_MAX_CHARS)
    token = FlagField(
        default=False, help_text=_("Also issue an API token when this completes a login.")
    )


class StepUpCodeSerializer(serializers.Serializer):
    """A step-up code."""

    code = TextField(max_length=CODE_MAX_CHARS)


class SendSerializer(serializers.Serializer):
    """Send a code: the channel (default: the phone's preference) and the language."""

    channel = serializers.ChoiceField(choices=CHANNELS, required=False)
    language = TextField(
        max_length=35, required=False, help_text=_("One of the site's LANGUAGES, e.g. 'de'.")
    )

    def validate_language(self, value: str) -> str:
        """One of ``settings.LANGUAGES`` (read per request, never at import)."""
        if value not in {code for code, _name in settings.LANGUAGES}:
            raise serializers.ValidationError(_("This language is not available."))
        return value


class ResendSerializer(SendSerializer):
    """Send again; ``device`` (another of the user's confirmed phones) starts a new code."""

    device = serializers.PrimaryKeyRelatedField(
        queryset=PhoneDevice.objects.none(),
        required=False,
        allow_null=True,
        error_messages={
            "does_not_exist": _("Choose one of your phones."),
            "incorrect_type": _("Choose one of your phones."),
        },
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this user's confirmed phones are choices: another user's id is invalid
        # (without a user, e.g. for the schema, nothing is).
        if user is not None:
            field = self.fields["device"]
            field.queryset = PhoneDevice.objects.filter(user_id=user.pk, confirmed=True)


class EnrollSerializer(serializers.Serializer):
    """A new phone number; ``flows.enroll`` normalises and checks it."""

    number = TextField(max_length=32)
    label = TextField(max_length=64, required=False, allow_blank=True, default="")
    channel = serializers.ChoiceField(
        choices=CHANNELS,
        default=Channel.SMS,
        help_text=_("How later codes come; the confirmation code always comes by SMS."),
    )


# --- Answers ---------------------------------------------------------------------------


class DeviceSerializer(serializers.ModelSerializer):
    """A phone as its owner sees it: never the full number (G4)."""

    number = serializers.CharField(source="masked_number", read_only=True)
    primary = serializers.BooleanField(source="is_primary", read_only=True)

    class Meta:
        model = PhoneDevice
        fields = ["id", "number", "label", "channel", "primary", "confirmed", "last_used_at"]
        read_only_fields = fields


class ChallengeSerializer(serializers.ModelSerializer):
    """A live challenge: where the code went and until when it is valid."""

    device = serializers.IntegerField(source="device_id", read_only=True)
    number = serializers.CharField(source="device.masked_number", read_only=True)
    resend_available_in = serializers.SerializerMethodField(
        help_text=_("Seconds until a resend is allowed (0: now).")
    )

    class Meta:
        model = Challenge
        fields = ["purpose", "channel", "device", "number", "expires_at", "resend_available_in"]
        read_only_fields = fields

    def get_resend_available_in(self, challenge: Challenge) -> int:
        """The resend cooldown left, in seconds."""
        return cooldown_seconds(challenge)


class DeliverySerializer(serializers.Serializer):
    """What happened to the live code on its way to the phone (``flows.fallback``)."""

    state = serializers.ChoiceField(
        choices=["sent", "delivered", "failed"],
        help_text=_(
            "sent: no delivery reported yet; delivered; failed: it could not be delivered."
        ),
    )
    channel = serializers.ChoiceField(choices=CHANNELS, help_text=_("The last message's channel."))
    updated_at = serializers.DateTimeField(help_text=_("When the state began."))
    suggest_call = serializers.BooleanField(
        help_text=_("Offer a call first: the SMS failed or no delivery was reported in time.")
    )
    voice_fallback = serializers.BooleanField(
        help_text=_("The site called the phone by itself because the SMS did not arrive.")
    )


class LoginStateSerializer(serializers.Serializer):
    """Where a login stands, with what the client needs for the next step."""

    status = serializers.ChoiceField(choices=LOGIN_STATES)
    devices = DeviceSerializer(many=True, required=False)
    challenge = ChallengeSerializer(required=False, allow_null=True)
    tries_left = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_(
            "Wrong codes the user may still enter before the code dies or the account "
            "waits (0 while it waits or is locked; null: no code to try)."
        ),
    )
    retry_after = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_("Seconds until the account's wait ends; null when it does not wait."),
    )
    locked = serializers.BooleanField(
        required=False,
        help_text=_("Two-factor sign-in is locked until an operator unlocks it."),
    )
    delivery = DeliverySerializer(
        required=False,
        allow_null=True,
        help_text=_("GET /api/challenge/ only: what happened to the live code (null: none)."),
    )
    send_error = serializers.DictField(
        required=False,
        help_text=_(
            "Only when the password step sent no code: its code, detail, hint (what to "
            "do) and retry_after (seconds, or null)."
        ),
    )
    login_token = serializers.CharField(
        required=False, help_text=_("Apps: send it as the X-Tyntec2FA-Login header.")
    )
    token = serializers.DictField(
        required=False,
        allow_null=True,
        help_text=_("The API token, when one was asked for and issued."),
    )


class ChallengeAnswerSerializer(serializers.Serializer):
    """A code went out."""

    challenge = ChallengeSerializer()


class ConfirmAnswerSerializer(serializers.Serializer):
    """A phone was confirmed; a pending login it completed is signed in."""

    status = serializers.ChoiceField(choices=["confirmed", "authenticated"])
    device = DeviceSerializer()
    token = serializers.DictField(required=False, allow_null=True)


class StepUpAnswerSerializer(serializers.Serializer):
    """The second factor is recent again."""

    status = serializers.ChoiceField(choices=["verified"])
    verified_at = serializers.DateTimeField()


class ErrorSerializer(serializers.Serializer):
    """Every refusal of the API."""

    code = serializers.CharField(help_text=_("Stable, machine-readable."))
    detail = serializers.CharField(help_text=_("Translated, for people."))
    field = serializers.CharField(required=False, help_text=_("Validation: the field at fault."))
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=_("Validation: every field with its messages."),
    )
    tries_left = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_(
            "A refused code: wrong codes the user may still enter before the code "
            "dies or the account waits (0 while it waits or is locked; null: no code to try)."
        ),
    )
    retry_after = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_("Seconds until the account's wait ends; null when it does not wait."),
    )
    locked = serializers.BooleanField(
        required=False,
        help_text=_("Two-factor sign-in is locked until an operator unlocks it."),
    )


class LoginRefusedSerializer(ErrorSerializer):
    """The password step refused before the password was tried (its rate limits)."""

    retry_after = serializers.IntegerField(help_text=_("Seconds to wait, as Retry-After."))


class LoginUnavailableSerializer(serializers.Serializer):
    """The password step's 503: no code could be sent because the service is down. The
    error shape and the pending login's state in one body: the password was right and
    the login waits for a code, to be sent once the service is back."""

    code = serializers.CharField(help_text=_("Stable, machine-readable."))
    detail = serializers.CharField(help_text=_("Translated, for people."))
    # The state is absent when the rate-limit cache was down before the password was
    # tried (issue 23.4): then nothing is pending, and only retry_after is added.
    status = serializers.ChoiceField(choices=("second_factor_required",), required=False)
    devices = DeviceSerializer(many=True, required=False)
    challenge = ChallengeSerializer(allow_null=True, required=False)  # null: no code was sent
    send_error = serializers.DictField(
        required=False,
        help_text=_(
            "Only when the password step sent no code: its code, detail, hint (what to "
            "do) and retry_after (seconds, or null)."
        ),
    )
    retry_after = serializers.IntegerField(
        required=False,
        help_text=_("Seconds to wait; only when the password was not tried."),
    )
    login_token = serializers.CharField(
        required=False, help_text=_("Apps: send it as the X-Tyntec2FA-Login header.")
    )


# --- Recovery codes (issue 11) -----------------------------------------------------------


class RecoveryStatusSerializer(serializers.Serializer):
    """How many recovery codes are left and when the set was generated."""

    remaining = serializers.IntegerField(help_text=_("Unused recovery codes."))
    generated_at = serializers.DateTimeField(
        allow_null=True, help_text=_("When the set was generated; null without a set.")
    )


class RecoveryCodesSerializer(RecoveryStatusSerializer):
    """A new set: the codes, shown this once and never again."""

    codes = serializers.ListField(
        child=serializers.CharField(), help_text=_("The new codes; no API returns them again.")
    )


class LoginCodeSerializer(CodeSerializer):
    """The code of a pending login; ``remember`` trusts this browser (S9)."""

    remember = FlagField(
        default=False,
        help_text=_(
            "Cookie clients: don't ask for a code at this user's password sign-ins on this "
            "browser for TYNTEC2FA_TRUST_BROWSER_DAYS days (ignored when that is 0 and for "
            "apps without cookies)."
        ),
    )


class TrustedBrowserSerializer(serializers.Serializer):
    """One of the user's trusted browsers; never its secret or hashes."""

    id = serializers.IntegerField()
    description = serializers.CharField(
        help_text=_("From the User-Agent, e.g. 'Chrome (Android)'.")
    )
    created = serializers.DateTimeField(source="created_at")
    last_used = serializers.DateTimeField(source="last_used_at", allow_null=True)
    expires = serializers.DateTimeField(source="expires_at")
    current = serializers.SerializerMethodField(help_text=_("This request's own browser."))

    def get_current(self, browser: Any) -> bool:
        """True for the browser whose cookie the request carries."""
        return bool(self.context.get("current") == browser.pk)
