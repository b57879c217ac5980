"""View-only staff cannot read a number through the admin's query string (G4).

The black-box finding: with only view rights, ``?number__startswith=+49151111`` answered
"1 result" or "0 results", so walking the digits recovered a full number in 51
requests. Every admin model that holds a number now refuses every query-string lookup
on it (400, Django's ``DisallowedModelAdminLookup``); the search box matches the last
digits a user reads out (at most 4, which the masked number shows) or a whole number,
never a longer ending that could be walked (``django_tyntec2fa/admin/lookups.py``).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from django_tyntec2fa.abuse.masking import mask_number
from django_tyntec2fa.models import (
    AuditEvent,
    DestinationBlock,
    FailureCounter,
    LocalOtp,
    PhoneDevice,
    SafeListEntry,
    Scope,
)

from .conftest import NUMBER, make_challenge, verified_client

pytestmark = pytest.mark.django_db
PREFIX = NUMBER[:9]  # "+49151234"
ADMIN = "/admin/tyntec2fa"

#: model -> the number field(s) a query string could walk.
NUMBER_LOOKUPS = {
    "phonedevice": ["number"],
    "challenge": ["device__number"],
    "destinationblock": ["value"],
    "safelistentry": ["value"],
    "auditevent": ["number"],
    "localotp": ["number"],
}


@pytest.fixture
def viewer(db: None) -> Client:
    """Staff with every view permission of the app and nothing else."""
    user = get_user_model().objects.create_user("viewer", password="pw-viewer-123", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="tyntec2fa", codename__startswith="view_"
        ),
        Permission.objects.get(codename="view_user"),
    )
    return verified_client(user)


@pytest.fixture
def rows(device: PhoneDevice) -> None:
    """One row with the number in each admin model that holds one."""
    make_challenge(device)
    now = timezone.now()
    DestinationBlock.objects.create(scope=Scope.PREFIX, value=NUMBER[:-4], until=now)
    SafeListEntry.objects.create(kind=SafeListEntry.Kind.NUMBER, value=NUMBER)
    AuditEvent.objects.create(kind=AuditEvent.Kind.CHALLENGE_SENT, number=mask_number(NUMBER))
    LocalOtp.objects.create(
        number=NUMBER,
        code_hash="x",
        pin_length=6,
        max_attempts=3,
        expires=now + dt.timedelta(minutes=5),
        channel="SMS",
        language="en",
    )
    FailureCounter.objects.create(user=device.user)


def queries(field: str) -> list[str]:
    return [
        f"{field}__startswith={PREFIX}",
        f"{field}__regex=^%2B49",
        f"{field}={NUMBER}".replace("+", "%2B"),
        f"{field}__endswith=6789",
        f"{field}__contains=234",
        f"{field}__gt=%2B4915",
        f"{field}__in={NUMBER}".replace("+", "%2B"),
    ]


@pytest.mark.parametrize("model", sorted(NUMBER_LOOKUPS))
def test_every_query_string_lookup_on_a_number_is_refused_g4(
    viewer: Client, rows: None, model: str
) -> None:
    """G4: per admin model, each lookup is an error page (400), never a count."""
    assert viewer.get(f"{ADMIN}/{model}/").status_code == 200
    for field in NUMBER_LOOKUPS[model]:
        for query in queries(field):
            response = viewer.get(f"{ADMIN}/{model}/?{query}")
            assert response.status_code == 400, (model, query)
            assert b"result" not in response.content


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/admin/auth/user/", "tyntec2fa_devices__number"),
        (f"{ADMIN}/failurecounter/", "user__tyntec2fa_devices__number"),
        (f"{ADMIN}/challenge/", "user__tyntec2fa_devices__number"),
        (f"{ADMIN}/auditevent/", "user__tyntec2fa_devices__number"),
    ],
)
def test_a_number_reached_through_the_user_is_refused_too_g4(
    viewer: Client, rows: None, path: str, field: str
) -> None:
    for query in queries(field):
        assert viewer.get(f"{path}?{query}").status_code == 400, (path, query)


@pytest.mark.parametrize(
    ("model", "found"),
    [
        ("phonedevice", "+49*******6789"),
        ("auditevent", "+49*******6789"),
        ("localotp", "+49*******6789"),
        ("safelistentry", "+49*******6789"),
    ],
)
def test_the_search_box_matches_the_last_digits_or_the_whole_number_only_g4(
    viewer: Client, rows: None, model: str, found: str
) -> None:
    """G4: "6789" (what the masked number shows) and the whole number find the row; a
    longer ending ("56789"), which could be walked digit by digit, finds nothing."""
    for term, hit in [("6789", True), ("789", True), ("56789", False), (NUMBER, True)]:
        text = viewer.get(f"{ADMIN}/{model}/", {"q": term}).content.decode()
        assert (found in text) is hit, (model, term)
    text = viewer.get(f"{ADMIN}/{model}/", {"q": NUMBER}).content.decode()
    assert text.count(NUMBER) == 1  # the search box's own value, no row
