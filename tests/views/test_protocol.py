"""What every URL of the app promises, whatever the page: no send on GET (P5), CSRF,
no caching (S7), sensitive POST fields hidden (G4), no code from the query string."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.views.debug import SafeExceptionReporterFilter

from django_tyntec2fa import urls as app_urls
from django_tyntec2fa.models import PhoneDevice, TrustedBrowser
from django_tyntec2fa.providers import sinks

from ..steps import AssertNeverCached, LastCode, wrong_code
from .helpers import BROWSER_HEADERS, url

#: The app's pages a pending login may reach (the rest are behind the gate).
PENDING_PAGES = {
    "challenge",
    "challenge-send",
    "challenge-delivery",
    "challenge-cancel",
    "enroll",
    "enroll-confirm",
    "recover",
}
POST_ONLY = {
    "challenge-send",
    "challenge-cancel",
    "device-primary",
    "step-up-send",
}
CODE_VIEWS = ("challenge", "enroll-confirm", "step-up")


def every_url(user: Any) -> list[tuple[str, str]]:
    """(name, path) of every pattern in django_tyntec2fa.urls."""
    device_pk = PhoneDevice.objects.filter(user=user).values_list("pk", flat=True).first()
    # "Forget this browser" takes the id of one of the user's trusted browsers (S9).
    browser, _new = TrustedBrowser.objects.get_or_create(
        user=user, defaults={"expires_at": "2999-01-01T00:00Z"}
    )
    found = []
    for pattern in app_urls.urlpatterns:
        pk = browser.pk if pattern.name == "browser-forget" else device_pk
        kwargs = {"pk": pk} if "<int:pk>" in str(pattern.pattern) else {}
        found.append((pattern.name, url(pattern.name, **kwargs)))
    return found


def test_every_pattern_is_covered(alice: Any) -> None:
    """The lists below stay in step with urls.py."""
    names = {name for name, _ in every_url(alice)}
    assert POST_ONLY < names
    assert set(CODE_VIEWS) < names
    assert len(names) == len(app_urls.urlpatterns) == 16


@pytest.mark.parametrize("stage", ["anonymous", "pending", "verified"])
def test_get_never_sends_and_post_only_urls_refuse_get_p5_s7(
    stage: str,
    request: pytest.FixtureRequest,
    alice: Any,
    client: Client,
    assert_never_cached: AssertNeverCached,
) -> None:
    """P5: a GET of any URL, in any state of the login, sends nothing; a GET of a
    POST-only URL is 405. Every answer, 405 included, is never cached (S7)."""
    if stage != "anonymous":
        client = request.getfixturevalue(stage)
    sent_before = len(sinks.outbox)
    for name, path in every_url(alice):
        response = client.get(path)
        if stage == "pending" and name not in PENDING_PAGES:
            assert response.status_code == 302, (name, response.status_code)  # the gate
        elif name in POST_ONLY:
            assert response.status_code == 405, (name, response.status_code)
        else:
            assert response.status_code in {200, 302}, (name, response.status_code)
        assert_never_cached(response)
    assert len(sinks.outbox) == sent_before


@pytest.mark.parametrize("stage", ["pending", "verified"])
def test_post_without_csrf_token_is_refused_p5_s7(
    stage: str, request: pytest.FixtureRequest, alice: Any
) -> None:
    """S7/P5: every form of the app needs the CSRF token (403 without it), and such a
    request sends nothing."""
    session_client = request.getfixturevalue(stage)
    strict = Client(enforce_csrf_checks=True, headers=BROWSER_HEADERS)
    strict.cookies = session_client.cookies
    sent_before = len(sinks.outbox)
    for name, path in every_url(alice):
        if stage == "pending" and name not in PENDING_PAGES:
            continue  # the gate answers before any view (tests/test_middleware*)
        response = strict.post(path, {"code": "000000", "channel": "VOICE"})
        assert response.status_code == 403, (name, response.status_code)
    assert len(sinks.outbox) == sent_before


@pytest.mark.parametrize("name", CODE_VIEWS)
def test_code_views_hide_the_code_from_error_reports_g4_s7(name: str, verified: Client) -> None:
    """G4/S7: sensitive_post_parameters("code") on every view that takes a code; an
    error report of such a request shows stars, not the code."""
    response = verified.post(url(name), {"code": "123456"})
    request = response.wsgi_request
    assert tuple(request.sensitive_post_parameters) == ("code",)
    cleaned = SafeExceptionReporterFilter().get_post_parameters(request)
    assert cleaned["code"] == SafeExceptionReporterFilter.cleansed_substitute


def test_enrollment_hides_the_number_from_error_reports(verified: Client) -> None:
    """G4: the phone number typed at enrollment is masked in error reports too."""
    response = verified.post(url("enroll"), {"number": "+4915712345678", "channel": "SMS"})
    assert tuple(response.wsgi_request.sensitive_post_parameters) == ("number",)


def test_a_code_in_the_query_string_is_ignored_s7(pending: Client, last_code: LastCode) -> None:
    """S7: the right code in the URL does nothing, on GET or POST; only the body counts."""
    code = last_code()
    response = pending.get(url("challenge") + f"?code={code}")
    assert response.status_code == 200
    response = pending.post(url("challenge") + f"?code={code}", {})
    assert response.status_code == 400
    response = pending.post(url("challenge") + f"?code={code}", {"code": wrong_code(code)})
    assert response.status_code == 302 and response.url == url("challenge")  # refused
    # Still pending: the protected page sends the browser back to the challenge.
    assert pending.get("/protected/").status_code == 302
    # And the code is still good for the real form.
    response = pending.post(url("challenge"), {"code": code})
    assert response.status_code == 302
