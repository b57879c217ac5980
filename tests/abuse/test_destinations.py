"""Where a code may go: the country allow-lists (P1), the blocked number types (P2),
and voice only to a confirmed number (P8). Every refusal happens before the provider
is called, is audited and sends ``send_refused``."""

from __future__ import annotations

import phonenumbers
import pytest
from phonenumbers import PhoneNumberType

from django_tyntec2fa import flows
from django_tyntec2fa.exceptions import DestinationRefused, ResendNotAllowed
from django_tyntec2fa.models import AuditEvent, Challenge, PhoneDevice
from django_tyntec2fa.providers import Channel, mask_number

from ..flows.conftest import add_device

LOGIN = Challenge.Purpose.LOGIN
ENROLL = Challenge.Purpose.ENROLL
DE_MOBILE = "+4915123456789"
FR_MOBILE = "+33612345678"
US_NUMBER = "+12025550123"


def example(region: str, kind: int) -> str:
    """libphonenumber's example number of ``kind`` in ``region``, as E.164."""
    number = phonenumbers.example_number_for_type(region, kind)
    assert number is not None, (region, kind)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def refused_events() -> list[str]:
    return list(
        AuditEvent.objects.filter(kind=AuditEvent.Kind.DESTINATION_REFUSED).values_list(
            "detail", flat=True
        )
    )


# --- P1: the country allow-lists ------------------------------------------------------------


def test_a_number_outside_the_allow_list_gets_nothing_p1(
    user, make_request, outbox, refusals, settings
) -> None:
    """P1: a number from a country that is not listed is refused before any provider
    call; the refusal is audited (masked number) and signalled."""
    settings.TYNTEC2FA_SMS_COUNTRIES = ["DE", "AT"]
    add_device(user, US_NUMBER)
    with pytest.raises(DestinationRefused) as refused:
        flows.start(make_request(), user, purpose=LOGIN)
    assert refused.value.code == "destination_refused"
    assert "country" in str(refused.value.message)
    assert outbox == []
    [event] = AuditEvent.objects.filter(kind=AuditEvent.Kind.DESTINATION_REFUSED)
    assert "US not in TYNTEC2FA_SMS_COUNTRIES" in event.detail
    assert event.number == mask_number(US_NUMBER) != US_NUMBER
    [signal] = refusals
    assert (signal["user"], signal["number"], signal["reason"]) == (
        user,
        US_NUMBER,
        "destination_refused",
    )
    assert not Challenge.objects.exists()


def test_the_tyntec_provider_is_never_called_for_a_refused_country_p1(
    fake, user, make_request, settings
) -> None:
    """P1 against the fake tyntec server: the refused send makes no HTTP call."""
    settings.TYNTEC2FA_SMS_COUNTRIES = ["+49"]
    phone = add_device(user, DE_MOBILE)
    flows.start(make_request(), user, purpose=LOGIN)  # the control: Germany is allowed
    assert fake.counters["send"] == 1
    PhoneDevice.objects.filter(pk=phone.pk).update(number=FR_MOBILE)
    with pytest.raises(DestinationRefused):
        flows.start(make_request(), user, purpose=LOGIN)
    assert fake.counters["send"] == 1


@pytest.mark.parametrize(
    ("countries", "number", "allowed"),
    [
        (["DE"], DE_MOBILE, True),
        (["+49"], DE_MOBILE, True),
        (["de"], DE_MOBILE, True),  # entries are case-insensitive
        (["+1"], US_NUMBER, True),  # a calling code covers every country sharing it
        (["CA"], US_NUMBER, False),  # an ISO code only its own country
        (["FR", "+49"], FR_MOBILE, True),
        ([], DE_MOBILE, False),  # an empty list allows nothing
        (None, US_NUMBER, True),  # unset: every country (check W016 warns)
    ],
)
def test_entries_are_iso_codes_or_calling_codes_p1(
    user, make_request, outbox, settings, countries, number, allowed
) -> None:
    settings.TYNTEC2FA_SMS_COUNTRIES = countries
    add_device(user, number)
    if allowed:
        flows.start(make_request(), user, purpose=LOGIN)
        assert len(outbox) == 1
    else:
        with pytest.raises(DestinationRefused):
            flows.start(make_request(), user, purpose=LOGIN)
        assert outbox == []


@pytest.mark.parametrize("channel", ["VOICE", "AUTO"])
def test_voice_to_an_sms_only_country_is_refused_p1(
    user, make_request, outbox, settings, channel
) -> None:
    """P1: voice has its own, stricter list; AUTO may become a call, so it needs it too.
    SMS to the same number still works."""
    settings.TYNTEC2FA_SMS_COUNTRIES = ["DE", "FR"]
    settings.TYNTEC2FA_VOICE_COUNTRIES = ["DE"]
    add_device(user, FR_MOBILE)
    with pytest.raises(DestinationRefused) as refused:
        flows.start(make_request(), user, purpose=LOGIN, channel=channel)
    assert "VOICE_COUNTRIES" in refused.value.detail
    assert outbox == []
    flows.start(make_request(), user, purpose=LOGIN, channel="SMS")
    assert [delivery.channel for delivery in outbox] == [Channel.SMS]


def test_call_me_instead_to_an_sms_only_country_is_refused_at_resend_p1(
    user, make_request, outbox, settings, refusals
) -> None:
    """P1 on resend: "call me instead" is checked like a new send; the challenge and
    its resend count stay as they were."""
    settings.TYNTEC2FA_SMS_COUNTRIES = ["DE", "FR"]
    settings.TYNTEC2FA_VOICE_COUNTRIES = ["DE"]
    settings.TYNTEC2FA_RESEND_COOLDOWN = 0
    add_device(user, FR_MOBILE)
    challenge = flows.start(make_request(), user, purpose=LOGIN)
    with pytest.raises(DestinationRefused):
        flows.resend(make_request(), user, purpose=LOGIN, channel="VOICE")
    challenge.refresh_from_db()
    assert (challenge.resend_count, challenge.channel, len(outbox)) == (0, "SMS", 1)
    assert [signal["reason"] for signal in refusals] == ["destination_refused"]


def test_voice_follows_the_sms_list_when_it_has_none_of_its_own_p1(
    user, make_request, outbox, settings
) -> None:
    """A call needs both lists: without a voice list the SMS list decides."""
    settings.TYNTEC2FA_SMS_COUNTRIES = ["DE"]
    add_device(user, FR_MOBILE)
    with pytest.raises(DestinationRefused):
        flows.start(make_request(), user, purpose=LOGIN, channel="VOICE")
    settings.TYNTEC2FA_VOICE_COUNTRIES = ["FR"]  # not in the SMS list: still refused
    with pytest.raises(DestinationRefused):
        flows.start(make_request(), user, purpose=LOGIN, channel="VOICE")
    assert outbox == []


def test_enrollment_refuses_a_country_before_storing_the_number_p1(
    user, make_request, outbox, settings
) -> None:
    settings.TYNTEC2FA_SMS_COUNTRIES = ["DE"]
    with pytest.raises(DestinationRefused):
        flows.enroll(make_request(user), user, number="+33 6 12 34 56 78")
    assert not PhoneDevice.objects.exists()
    assert outbox == []
    assert refused_events() == ["enroll: country FR not in TYNTEC2FA_SMS_COUNTRIES"]


def test_enrollment_refuses_a_voice_preference_the_voice_list_forbids_p1(
    user, make_request, outbox, settings
) -> None:
    settings.TYNTEC2FA_VOICE_COUNTRIES = ["DE"]
    with pytest.raises(DestinationRefused):
        flows.enroll(make_request(user), user, number=FR_MOBILE, channel="VOICE")
    flows.enroll(make_request(user), user, number=FR_MOBILE, channel="SMS")
    assert [delivery.number for delivery in outbox] == [FR_MOBILE]


# --- P2: number types -----------------------------------------------------------------------

ALWAYS_BLOCKED = [
    ("DE", PhoneNumberType.PREMIUM_RATE),  # +49 900 ...
    ("GB", PhoneNumberType.PREMIUM_RATE),  # +44 9xx ...
    ("US", PhoneNumberType.PREMIUM_RATE),
    ("DE", PhoneNumberType.SHARED_COST),
    ("FR", PhoneNumberType.SHARED_COST),
    ("US", PhoneNumberType.TOLL_FREE),  # +1 800 ...
    ("DE", PhoneNumberType.TOLL_FREE),
    ("GB", PhoneNumberType.TOLL_FREE),
]


@pytest.mark.parametrize(("region", "kind"), ALWAYS_BLOCKED)
def test_premium_shared_cost_and_toll_free_are_refused_at_enrollment_p2(
    user, make_request, outbox, region, kind
) -> None:
    """P2 at enrollment: nothing is stored, nothing is sent."""
    number = example(region, kind)
    with pytest.raises(DestinationRefused) as refused:
        flows.enroll(make_request(user), user, number=number)
    assert "number type" in refused.value.detail
    assert "premium-rate" in str(refused.value.message)
    assert (outbox, list(PhoneDevice.objects.all())) == ([], [])


@pytest.mark.parametrize(("region", "kind"), ALWAYS_BLOCKED)
def test_premium_shared_cost_and_toll_free_are_refused_at_send_p2(
    user, make_request, outbox, region, kind
) -> None:
    """P2 at send: a phone stored before the policy existed gets no code either."""
    add_device(user, example(region, kind))
    with pytest.raises(DestinationRefused):
        flows.start(make_request(), user, purpose=LOGIN)
    assert outbox == []


def test_the_always_blocked_types_cannot_be_unblocked_p2(
    user, make_request, outbox, settings
) -> None:
    settings.TYNTEC2FA_BLOCKED_NUMBER_TYPES = []
    with pytest.raises(DestinationRefused):
        flows.enroll(make_request(user), user, number=example("DE", PhoneNumberType.PREMIUM_RATE))
    assert outbox == []


@pytest.mark.parametrize(
    "number",
    [
        example("DE", PhoneNumberType.PAGER),
        phonenumbers.format_number(
            phonenumbers.example_number_for_non_geo_entity(882),
            phonenumbers.PhoneNumberFormat.E164,
        ),
        phonenumbers.format_number(
            phonenumbers.example_number_for_non_geo_entity(883),
            phonenumbers.PhoneNumberFormat.E164,
        ),
    ],
)
def test_pagers_and_international_networks_are_blocked_by_default_p2(
    user, make_request, outbox, settings, number
) -> None:
    """P2: configurable types, blocked by default; unblocked, they get codes."""
    with pytest.raises(DestinationRefused):
        flows.enroll(make_request(user), user, number=number)
    settings.TYNTEC2FA_BLOCKED_NUMBER_TYPES = []
    flows.enroll(make_request(user), user, number=number)
    assert [delivery.number for delivery in outbox] == [number]


def test_voip_is_allowed_by_default_and_can_be_blocked_p2(
    user, make_request, outbox, settings
) -> None:
    voip = example("GB", PhoneNumberType.VOIP)
    flows.enroll(make_request(user), user, number=voip)
    assert len(outbox) == 1
    settings.TYNTEC2FA_BLOCKED_NUMBER_TYPES = ["VOIP", "PAGER"]
    with pytest.raises(DestinationRefused) as refused:
        flows.start(make_request(), user, purpose=ENROLL, device=PhoneDevice.objects.get())
    assert "VOIP" in refused.value.detail
    assert len(outbox) == 1


@pytest.mark.parametrize("number", [DE_MOBILE, "+4917612345678", "+4916091234567", FR_MOBILE])
def test_ordinary_mobile_numbers_pass_the_default_policy_p2(
    user, make_request, outbox, number
) -> None:
    """The defaults block nothing a user normally owns (the suite's numbers included)."""
    flows.enroll(make_request(user), user, number=number)
    assert [delivery.number for delivery in outbox] == [number]


# --- P8: voice only to a confirmed number ---------------------------------------------------


def test_voice_never_goes_to_a_number_typed_in_the_same_request_p8(
    user, make_request, outbox, settings
) -> None:
    """P8: enrolling with a voice preference still sends the enrollment code by SMS,
    a voice resend to the unconfirmed number is refused, and only after the number
    is confirmed may a code go by voice."""
    settings.TYNTEC2FA_RESEND_COOLDOWN = 0
    request = make_request(user)
    flows.enroll(request, user, number=DE_MOBILE, channel="VOICE")
    assert [delivery.channel for delivery in outbox] == [Channel.SMS]
    with pytest.raises(ResendNotAllowed):
        flows.resend(request, user, purpose=ENROLL, channel="VOICE")
    assert len(outbox) == 1
    flows.confirm(request, user, code=outbox[-1].code)
    flows.start(make_request(), user, purpose=LOGIN, channel="VOICE")
    assert [delivery.channel for delivery in outbox] == [Channel.SMS, Channel.VOICE]
