"""OpenAPI annotations of the device and step-up endpoints."""

from __future__ import annotations

from .. import examples as ex
from ..serializers import (
    ChallengeAnswerSerializer,
    CodeSerializer,
    ConfirmAnswerSerializer,
    DeviceSerializer,
    EnrollSerializer,
    SendSerializer,
    StepUpAnswerSerializer,
    StepUpCodeSerializer,
)
from .common import (
    CODE,
    CODE_REFUSALS,
    PROVIDER,
    SEND_REFUSALS,
    SIGNED_IN_REFUSALS,
    UNSAFE,
    operation,
    responses,
)

device_list = operation(
    "devices",
    "devices",
    "Your phones",
    "Confirmed or not, primary first; numbers are masked.",
    responses(
        200,
        DeviceSerializer(many=True),
        "The phones.",
        {"Your phones": ex.DEVICE},  # drf-spectacular lists it for a list answer
        SIGNED_IN_REFUSALS,
    ),
)
device_get = operation(
    "device",
    "devices",
    "One of your phones",
    "",
    responses(
        200,
        DeviceSerializer,
        "The phone.",
        {"A phone": ex.DEVICE},
        SIGNED_IN_REFUSALS,
        {404: {"Not yours": ex.NOT_FOUND}},
    ),
)
device_delete = operation(
    "device_remove",
    "devices",
    "Remove a phone",
    "Needs a second factor within TYNTEC2FA_STEP_UP_MAX_AGE (step-up first); another "
    "phone becomes primary.",
    responses(
        204,
        None,
        "Removed.",
        {},
        UNSAFE,
        SIGNED_IN_REFUSALS,
        {403: {"Step up first": ex.STEP_UP_REQUIRED}, 404: {"Not yours": ex.NOT_FOUND}},
    ),
)
device_primary = operation(
    "device_primary",
    "devices",
    "Make a phone primary",
    "Login codes go to this phone first. Needs a second factor within "
    "TYNTEC2FA_STEP_UP_MAX_AGE (step-up first).",
    responses(
        200,
        DeviceSerializer,
        "The new primary phone.",
        {"Primary": ex.DEVICE},
        UNSAFE,
        SIGNED_IN_REFUSALS,
        {
            400: {"Not confirmed": ex.DEVICE_NOT_CONFIRMED},
            403: {"Step up first": ex.STEP_UP_REQUIRED},
            404: {"Not yours": ex.NOT_FOUND},
        },
    ),
    request=None,
)
device_add = operation(
    "device_add",
    "devices",
    "Add a phone",
    "Sends an enrollment code by SMS to the number. With a phone already, needs a recent "
    "second factor; also serves a pending login that must add a phone first.",
    responses(
        200,
        ChallengeAnswerSerializer,
        "The enrollment code went out.",
        {"Code sent": {"challenge": ex.ENROLL_CHALLENGE}},
        UNSAFE,
        SIGNED_IN_REFUSALS,
        SEND_REFUSALS,
        PROVIDER,
        {
            400: {"Invalid number": ex.invalid("number", "Enter a valid phone number.")},
            403: {"Step up first": ex.STEP_UP_REQUIRED},
            429: {"Too early for this number": ex.RESEND_NOT_ALLOWED},
        },
    ),
    request=EnrollSerializer,
    requests={"A number": {"number": "+49 151 23456789", "label": "Work phone"}},
    pending=True,
)
device_confirm = operation(
    "device_confirm",
    "devices",
    "Confirm a new phone",
    "The enrollment code confirms the phone; a pending login that had to add it is "
    "signed in (and gets a token when asked for, or for an app).",
    responses(
        200,
        ConfirmAnswerSerializer,
        "Confirmed.",
        {
            "Confirmed": {"status": "confirmed", "device": ex.NEW_DEVICE, "token": None},
            "Login completed": {"status": "authenticated", "device": ex.NEW_DEVICE, "token": None},
        },
        UNSAFE,
        SIGNED_IN_REFUSALS,
        CODE_REFUSALS,
        PROVIDER,
    ),
    request=CodeSerializer,
    requests={"Code": CODE},
    pending=True,
)
step_up_send = operation(
    "step_up_send",
    "step-up",
    "Send a step-up code",
    "A code to the primary phone before a sensitive action.",
    responses(
        200,
        ChallengeAnswerSerializer,
        "The code went out.",
        {"Code sent": {"challenge": ex.STEP_UP_CHALLENGE}},
        UNSAFE,
        SIGNED_IN_REFUSALS,
        SEND_REFUSALS,
        PROVIDER,
    ),
    request=SendSerializer,
    requests={"By voice": {"channel": "VOICE"}},
)
step_up_verify = operation(
    "step_up_verify",
    "step-up",
    "Verify a step-up code",
    "The second factor is recent again (a session also gets a new key).",
    responses(
        200,
        StepUpAnswerSerializer,
        "Verified.",
        {"Verified": {"status": "verified", "verified_at": "2025-01-01T12:00:00Z"}},
        UNSAFE,
        SIGNED_IN_REFUSALS,
        CODE_REFUSALS,
        PROVIDER,
    ),
    request=StepUpCodeSerializer,
    requests={"Code": CODE},
)
