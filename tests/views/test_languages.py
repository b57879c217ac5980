"""The pages and the message on the phone speak the active language (German, French)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from django_tyntec2fa.providers import sinks

from ..steps import PasswordLogin
from .helpers import url


@pytest.mark.parametrize(
    ("language", "heading", "sms"),
    [
        ("de", "Code eingeben", "Ihr Bestätigungscode lautet"),
        ("fr", "Saisissez votre code", "Votre code de vérification est"),
        ("en", "Enter your code", "Your verification code is"),
    ],
)
def test_challenge_page_and_sms_follow_the_active_language(
    client: Client, alice: Any, language: str, heading: str, sms: str, password_login: PasswordLogin
) -> None:
    with translation.override(language):
        password_login(client, alice)
        page = client.get(url("challenge"))
    assert page.status_code == 200
    assert heading in page.content.decode()
    (delivery,) = sinks.outbox
    assert delivery.language == language  # what is sent to the provider as `language`
    assert sms in delivery.text
