"""policy.py (who needs a second factor) and phone.py (E.164 normalisation, U2)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured

from django_tyntec2fa.abuse.phone import normalize_number
from django_tyntec2fa.core import policy
from django_tyntec2fa.exceptions import DeviceError

from .conftest import NUMBER, add_device


@pytest.mark.parametrize(
    "raw",
    [
        "+49 151 23456789",
        "0049151 23456789",
        "+4915123456789",
        "+49 (151) 2345-6789",
        " +49.151.23456789 ",
    ],
)
def test_number_variants_normalise_to_one_e164_string_u2(raw: str) -> None:
    assert normalize_number(raw) == NUMBER


def test_national_numbers_need_a_region() -> None:
    assert normalize_number("0151 23456789", "DE") == NUMBER
    with pytest.raises(DeviceError):
        normalize_number("0151 23456789")


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "12345",
        "+49 151",
        "+49 CALL-NOW",
        "+４９１５１２３４５６７８９",
        "+1" * 40,
        "+999 123456789",
    ],
)
def test_invalid_numbers_are_refused_with_a_translated_message(raw: str) -> None:
    with pytest.raises(DeviceError) as refused:
        normalize_number(raw)
    assert str(refused.value.message)
    assert "23456789" not in refused.value.detail  # masked at most (G4)


@pytest.mark.django_db
def test_policy(user, settings) -> None:
    assert not policy.has_confirmed_device(user)
    assert not policy.requires_second_factor(user)
    assert not policy.requires_second_factor(AnonymousUser())
    add_device(user, confirmed=False, is_primary=False)
    assert not policy.requires_second_factor(user)  # an unconfirmed phone does not count
    settings.TYNTEC2FA_REQUIRED = "django_tyntec2fa.core.policy.staff_required"
    assert not policy.requires_second_factor(user)
    user.is_staff = True
    assert policy.requires_second_factor(user)
    settings.TYNTEC2FA_REQUIRED = policy.all_users
    user.is_staff = False
    assert policy.requires_second_factor(user)
    settings.TYNTEC2FA_REQUIRED = lambda user: user.username == "nobody"
    assert not policy.requires_second_factor(user)
    settings.TYNTEC2FA_REQUIRED = None
    add_device(user, "+4915198765432")
    assert policy.has_confirmed_device(user)
    assert policy.requires_second_factor(user)


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["no.such.rule", 42])
def test_a_bad_policy_setting_is_a_configuration_error(user, settings, value) -> None:
    settings.TYNTEC2FA_REQUIRED = value
    with pytest.raises(ImproperlyConfigured):
        policy.requires_second_factor(user)
