"""One table, two front ends: the pages and the API give the same answer to every
action that needs a fresh second factor (issue 22; E2, E3, S9, S10).

The rule is ``flows.sensitive.require_fresh``: a session that entered a code within
``TYNTEC2FA_STEP_UP_MAX_AGE`` may change the account's factors; a password sign-in on
a trusted browser (no code entered) and a code older than the window may not.
Forgetting trusted browsers only takes access away and needs no fresh code. Each row
of ``TABLE`` runs against the HTML pages and against the JSON API, from the same
session state, so the two front ends cannot drift apart again (on 21d6711 the page
removed a phone that the API refused to remove).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from django_tyntec2fa.core import session
from django_tyntec2fa.flows import trust
from django_tyntec2fa.models import PhoneDevice, TrustedBrowser

from . import steps
from .people import PASSWORD

pytestmark = pytest.mark.django_db

NEW_NUMBER = "+4915712345678"
API_HANDLER = "django_tyntec2fa.api.errors.exception_handler"
#: Past ``TYNTEC2FA_STEP_UP_MAX_AGE`` (300 s by default), well within the session.
LATER = 600

#: (action, session state) -> allowed. Every action needs a fresh code except
#: forgetting trusted browsers (docs/security.md, "Fresh second factor").
FRESH, TRUSTED, STALE = "fresh code", "password on a trusted browser", "code too old"
NEEDS_FRESH = ("add a phone", "remove a phone", "make a phone primary", "recovery codes")
TABLE: dict[tuple[str, str], bool] = {
    **{(action, FRESH): True for action in NEEDS_FRESH},
    **{(action, TRUSTED): False for action in NEEDS_FRESH},
    **{(action, STALE): False for action in NEEDS_FRESH},
    ("forget trusted browsers", FRESH): True,
    ("forget trusted browsers", TRUSTED): True,
    ("forget trusted browsers", STALE): True,
}


@dataclass(frozen=True)
class Action:
    """One action on both front ends: each sends it and returns the answer."""

    page: Callable[[Client, Any], Any]
    api: Callable[[Client, Any], Any]


def _backup(user: Any) -> PhoneDevice:
    return PhoneDevice.objects.get(user=user, is_primary=False)


def _browser(user: Any) -> TrustedBrowser:
    return TrustedBrowser.objects.filter(user=user).latest("pk")


def _json(client: Client, method: str, path: str, data: Any = None) -> Any:
    return getattr(client, method)(path, data or {}, content_type="application/json")


ACTIONS = {
    "add a phone": Action(
        page=lambda c, u: c.post("/2fa/enroll/", {"number": NEW_NUMBER, "channel": "SMS"}),
        api=lambda c, u: _json(c, "post", "/api/devices/add/", {"number": NEW_NUMBER}),
    ),
    "remove a phone": Action(
        page=lambda c, u: c.post(f"/2fa/devices/{_backup(u).pk}/remove/"),
        api=lambda c, u: _json(c, "delete", f"/api/devices/{_backup(u).pk}/"),
    ),
    "make a phone primary": Action(
        page=lambda c, u: c.post(f"/2fa/devices/{_backup(u).pk}/primary/"),
        api=lambda c, u: _json(c, "post", f"/api/devices/{_backup(u).pk}/primary/"),
    ),
    "recovery codes": Action(
        page=lambda c, u: c.post("/2fa/recovery-codes/"),
        api=lambda c, u: _json(c, "post", "/api/recovery-codes/"),
    ),
    "forget trusted browsers": Action(
        page=lambda c, u: c.post("/2fa/browsers/forget/"),
        api=lambda c, u: _json(c, "delete", f"/api/trusted-browsers/{_browser(u).pk}/"),
    ),
}


def page_allowed(response: Any) -> bool:
    """The page's answer: refused is a 403 offering the step-up, or the redirect to the
    step-up; allowed is the action's page or its redirect elsewhere."""
    location = response.get("Location", "")
    if response.status_code == 403 or (
        response.status_code == 302 and location.startswith("/2fa/step-up/")
    ):
        if response.status_code == 403:
            assert b"/2fa/step-up/" in response.content  # the way on is offered
        return False
    assert response.status_code in (200, 302), (response.status_code, response.content[:500])
    return True


def api_allowed(response: Any) -> bool:
    """The API's answer: 403 ``step_up_required``, or a success."""
    if response.status_code == 403:
        assert response.json()["code"] == "step_up_required"
        return False
    assert response.status_code in (200, 201, 204), (response.status_code, response.content)
    return True


@pytest.fixture(autouse=True)
def _site(settings: Any) -> Iterator[None]:
    """The pages and the API in one URLconf; trusted browsers on; fresh rate limits."""
    settings.ROOT_URLCONF = "tests.api.urls"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "EXCEPTION_HANDLER": API_HANDLER}
    settings.TYNTEC2FA_TRUST_BROWSER_DAYS = 30
    cache.clear()
    yield
    cache.clear()


def _sign_in(client: Client, user: Any, state: str) -> None:
    """Bring ``client`` into ``state``; in each, the browser is a trusted one (S9)."""
    steps.password_login(client, user)
    answer = client.post("/2fa/challenge/", {"code": steps.last_code(), "remember": "1"})
    assert answer.status_code == 302 and trust.COOKIE_NAME in client.cookies
    if state == TRUSTED:
        cookie = client.cookies[trust.COOKIE_NAME].value
        client.logout()
        client.cookies[trust.COOKIE_NAME] = cookie
        login = {"username": user.get_username(), "password": PASSWORD}
        assert client.post(steps.LOGIN, login).status_code == 302
        request = client.get("/probe/whoami/").wsgi_request
        assert session.is_verified(request) and session.verified_at(request) is None


@pytest.mark.parametrize("front", ["page", "api"])
@pytest.mark.parametrize(("action", "state"), list(TABLE))
def test_e2_e3_s10_both_front_ends_give_the_tables_answer(
    client: Client, alice: Any, front: str, action: str, state: str
) -> None:
    _sign_in(client, alice, state)
    act = getattr(ACTIONS[action], front)
    judge = page_allowed if front == "page" else api_allowed
    if state == STALE:
        later = timezone.now().timestamp() + LATER
        with time_machine.travel(later, tick=False):
            allowed = judge(act(client, alice))
    else:
        allowed = judge(act(client, alice))
    assert allowed is TABLE[action, state], (front, action, state)
