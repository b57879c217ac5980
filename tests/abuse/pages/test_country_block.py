"""The black-box finding, through the pages: about 50 codes to German numbers with few
of them entered blocked every +49 number for an hour, a fresh visitor's and the demo
user's long-confirmed phone included. Now 60 password steps of 60 visitors (own IP,
own session, own number prefix), 6 of them finished with the code, block nothing: the
demo user and a new visitor still get their codes (P4, issue 15)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from django_tyntec2fa.models import DestinationBlock, PhoneDevice

from ...steps import LastCode, PasswordLogin
from ...views.helpers import BROWSER_HEADERS, url


def test_sixty_codes_to_one_country_no_longer_block_it_p4(
    make_user: Any, outbox: Any, last_code: LastCode, password_login: PasswordLogin
) -> None:
    for n in range(60):
        number = f"+49151{n:02d}000000"
        visitor = Client(headers=BROWSER_HEADERS, REMOTE_ADDR=f"203.0.113.{n + 1}")
        password_login(visitor, make_user(f"visitor{n}", [number]))
        if n % 10 == 0:
            response = visitor.post(url("challenge"), {"code": last_code(number)})
            assert response.status_code == 302
    assert len(outbox) == 60
    assert not DestinationBlock.objects.exists()

    demo = make_user("demo", ["+4915111111111"])
    PhoneDevice.objects.filter(user=demo).update(
        last_used_at=timezone.now() - dt.timedelta(days=90)
    )
    fresh = make_user("fresh", ["+4916098765432"])
    for user, ip in [(demo, "198.51.100.1"), (fresh, "192.0.2.7")]:
        browser = Client(headers=BROWSER_HEADERS, REMOTE_ADDR=ip)
        password_login(browser, user)
        assert "We sent a code to your phone" in browser.get(url("challenge")).content.decode()
    assert len(outbox) == 62
