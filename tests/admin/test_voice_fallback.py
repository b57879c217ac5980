"""The support desk sees when the app called a phone instead of a failed SMS (issue 13)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from django_tyntec2fa.models import PhoneDevice

from ..rows import make_challenge

pytestmark = pytest.mark.django_db


def test_the_challenge_page_shows_the_automatic_call(staff: Client, device: PhoneDevice) -> None:
    challenge = make_challenge(device, channel="VOICE", voice_fallback_at=timezone.now())
    page = staff.get(reverse("admin:tyntec2fa_challenge_change", args=[challenge.pk]))
    assert page.status_code == 200
    assert "Voice fallback placed" in page.content.decode()
