"""What the login flow asks of tyntec when nothing goes wrong, seen from the fake's
side: one check per successful login and at most one delete (R4), and an OTP id is
never taken from the request (G5 d)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from django_tyntec2fa.models import Challenge
from django_tyntec2fa.testing.fake_tyntec import FakeTyntec

from ..steps import PasswordLogin
from ..views.helpers import BROWSER_HEADERS
from .helpers import NEXT, code_for, live

CHALLENGE = reverse("tyntec2fa:challenge")


def test_a_successful_login_checks_once_and_deletes_at_most_once_r4(
    client: Client, alice: Any, fake: FakeTyntec, password_login: PasswordLogin
) -> None:
    password_login(client, alice, next_url=NEXT)
    response = client.post(CHALLENGE, {"code": code_for(fake, live(alice))})

    assert response.status_code == 302 and response["Location"] == NEXT
    assert fake.counters["send"] == 1
    assert fake.counters["check"] == 1
    assert fake.counters["delete"] <= 1


def test_an_otp_id_in_the_request_has_no_effect_g5(
    client: Client, alice: Any, bob: Any, fake: FakeTyntec, password_login: PasswordLogin
) -> None:
    """Alice submits Bob's code together with Bob's OTP id under every name a client
    might try: the check goes to Alice's own OTP, Bob's is untouched and still works."""
    bob_client = Client(headers=BROWSER_HEADERS)
    password_login(bob_client, bob)
    password_login(client, alice, next_url=NEXT)
    bob_challenge, alice_challenge = live(bob), live(alice)
    bob_otp = bob_challenge.provider_otp_id
    forged = {name: bob_otp for name in ("otpId", "otp_id", "provider_otp_id", "challenge")}

    refused = client.post(CHALLENGE, {"code": code_for(fake, bob_challenge), **forged})

    assert refused.status_code == 302 and refused.url == CHALLENGE  # back to the code page
    assert fake.otps[bob_otp].attempt_count == 0
    assert fake.otps[alice_challenge.provider_otp_id].attempt_count == 1
    bob_challenge.refresh_from_db()
    assert (bob_challenge.status, bob_challenge.attempts) == (Challenge.Status.PENDING, 0)
    assert bob_client.post(CHALLENGE, {"code": code_for(fake, bob_challenge)}).status_code == 302
