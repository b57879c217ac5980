"""A django-two-factor-auth site with ``contrib.two_factor`` as its SMS and call gateway
signs in with the code the fake tyntec server delivered (issue 13).

The site (``tests/two_factor/settings.py``) runs under ``runserver`` in its own process
with its own SQLite file, and reaches the fake tyntec server of this process over real
HTTP. django-two-factor-auth makes and checks the token; the tests read it from the
fake's outbox, as the user reads the SMS, and compute it from the device's key to
prove that tyntec delivered django-two-factor-auth's token (``otpCode``) and checked
nothing. Every server output is searched for the code and the full number (G4).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from django_tyntec2fa.testing.fake_tyntec import FakeMessage, FakeTyntec, Fault

from . import seed
from .site import Site, serve, site_env

pytestmark = pytest.mark.own_site

API_KEY = "two-factor-site-key"
TEMPLATES = {
    ("de", "SMS"): "Ihr Anmeldecode: {{OTP}}. Geben Sie ihn nicht weiter.",
    ("fr", "SMS"): "Votre code : {{OTP}}. Ne le partagez pas.",
    ("fr", "VOICE"): "Votre code est {{OTP}}. Je répète : {{OTP}}.",
}


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTyntec]:
    with FakeTyntec(api_key=API_KEY) as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh_fake(fake: FakeTyntec) -> None:
    fake.reset()


def _serve(fake: FakeTyntec, directory: Path) -> Iterator[Site]:
    env = site_env(directory / "db.sqlite3", fake.url, API_KEY)
    with serve(env, directory / "server.log") as running:
        yield running


@pytest.fixture(scope="module")
def site(fake: FakeTyntec, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One site for the tests that leave tyntec up (its breaker stays closed)."""
    yield from _serve(fake, tmp_path_factory.mktemp("two-factor-site"))


@pytest.fixture
def fresh_site(fake: FakeTyntec, tmp_path: Path) -> Iterator[Site]:
    """A site of its own, for a test that opens its circuit breaker."""
    yield from _serve(fake, tmp_path)


def _add_templates(fake: FakeTyntec) -> None:
    """German and French templates in the fake's default application, as a site's
    ``tyntec2fa_application sync`` would put them."""
    for (language, channel), text in TEMPLATES.items():
        answer = requests.post(
            f"{fake.url}/2fa/v1/application/default/language",
            params={"language": language, "text": text, "channel": channel},
            headers={"apiKey": API_KEY},
            timeout=5,
        )
        answer.raise_for_status()


def _delivered(fake: FakeTyntec, number: str) -> FakeMessage:
    messages = [message for message in fake.outbox if message.number == number]
    assert len(messages) == 1, messages
    return messages[0]


def _assert_no_secret_in(output: str, codes: set[str], number: str) -> None:
    """G4: neither a code the device accepts nor the full number is in the output."""
    assert [code for code in codes if code in output] == []
    assert number not in output
    assert number.lstrip("+") not in output
    assert number[3:] not in output  # the national part, without +49


def _secret(site: Site, browser: requests.Session) -> requests.Response:
    return browser.get(site.url + "/secret/", timeout=10, allow_redirects=False)


def test_a_user_signs_in_with_the_token_tyntec_delivered_by_sms(
    site: Site, fake: FakeTyntec
) -> None:
    browser = requests.Session()
    page = site.sign_in(browser, seed.SMS_USER, seed.PASSWORD)
    assert page.status_code == 200
    assert 'name="token-otp_token"' in page.text

    message = _delivered(fake, seed.SMS_NUMBER)
    codes = site.device_codes(seed.SMS_USER)
    # The SMS carries django-two-factor-auth's token, sent as otpCode, not a code of tyntec's.
    assert message.channel == "SMS"
    assert message.code in codes
    assert message.code in message.text

    wrong = next(f"{n:06d}" for n in range(1, 10**6) if f"{n:06d}" not in codes)
    refused = site.enter_code(browser, wrong)
    assert refused.status_code == 200  # the token step again, with its error
    assert _secret(site, browser).status_code == 302

    signed_in = site.enter_code(browser, message.code)
    assert signed_in.status_code == 302
    assert signed_in.headers["Location"] == "/secret/"
    assert _secret(site, browser).text == f"verified: {seed.SMS_USER}"
    # django-two-factor-auth checked the token itself: tyntec was only the courier.
    assert fake.counters.get("check", 0) == 0
    assert len(fake.outbox) == 1  # the refused code did not send another
    _assert_no_secret_in(site.output(), codes, seed.SMS_NUMBER)


def test_the_call_gateway_reads_the_token_out_in_a_voice_call(site: Site, fake: FakeTyntec) -> None:
    browser = requests.Session()
    site.sign_in(browser, seed.CALL_USER, seed.PASSWORD)

    message = _delivered(fake, seed.CALL_NUMBER)
    assert message.channel == "VOICE"
    assert message.code in site.device_codes(seed.CALL_USER)
    assert site.enter_code(browser, message.code).headers["Location"] == "/secret/"
    assert _secret(site, browser).text == f"verified: {seed.CALL_USER}"
    _assert_no_secret_in(site.output(), site.device_codes(seed.CALL_USER), seed.CALL_NUMBER)


@pytest.mark.parametrize(
    ("username", "number", "language", "template"),
    [
        (seed.SMS_USER, seed.SMS_NUMBER, "de", ("de", "SMS")),
        (seed.SMS_USER, seed.SMS_NUMBER, "fr", ("fr", "SMS")),
        (seed.CALL_USER, seed.CALL_NUMBER, "fr", ("fr", "VOICE")),
    ],
)
def test_the_message_is_in_the_language_of_the_login_page(
    site: Site,
    fake: FakeTyntec,
    username: str,
    number: str,
    language: str,
    template: tuple[str, str],
) -> None:
    _add_templates(fake)
    browser = requests.Session()
    page = site.sign_in(browser, username, seed.PASSWORD, language=language)
    assert page.headers["Content-Language"] == language

    message = _delivered(fake, number)
    assert message.language == language
    assert message.text == TEMPLATES[template].replace("{{OTP}}", message.code)
    assert site.enter_code(browser, message.code).status_code == 302


def test_a_phone_added_in_the_setup_wizard_is_confirmed_with_a_token_tyntec_delivered(
    site: Site, fake: FakeTyntec
) -> None:
    number = "+4915123456700"
    browser = requests.Session()
    assert site.sign_in(browser, seed.NEW_USER, seed.PASSWORD).status_code == 302  # no phone yet
    setup = "/account/two_factor/setup/"
    assert browser.get(site.url + setup, timeout=10).status_code == 200
    site.post_step(browser, setup, "welcome", {})
    site.post_step(browser, setup, "method", {"method-method": "sms"})
    page = site.post_step(browser, setup, "sms", {"sms-number": number})
    assert "We sent you a text message" in page.text

    message = _delivered(fake, number)
    done = site.post_step(browser, setup, "validation", {"validation-token": message.code})
    assert done.status_code == 302
    assert _secret(site, browser).text == f"verified: {seed.NEW_USER}"
    assert number not in site.output()


def test_tyntec_down_at_sign_in_is_the_sites_error_page_and_opens_the_breaker_r1_g4(
    fresh_site: Site, fake: FakeTyntec
) -> None:
    """R1 (fail closed), G4: no code goes out, none is logged; after
    TYNTEC2FA_BREAKER_FAILURES (2 on this site) failures tyntec is not asked at all."""
    fake.inject(Fault("status", operation="send", status=503, times=10))
    answers = [
        fresh_site.sign_in(requests.Session(), seed.SMS_USER, seed.PASSWORD).status_code
        for _ in range(3)
    ]
    # django-two-factor-auth's login step does not catch a gateway's error.
    assert answers == [500, 500, 500]
    assert fake.counters["send"] == 2  # the third was refused by the open breaker
    assert fake.outbox == []

    output = fresh_site.output()
    # Each failure logged once by the gateway; opening the breaker on a site without
    # django_tyntec2fa in INSTALLED_APPS writes no audit row (no RuntimeError).
    warning = "django-two-factor-auth SMS to +49*******6789 not sent: provider_unavailable"
    assert output.count(warning) == 3
    assert "RuntimeError" not in output
    assert "tyntec send: circuit open" in output
    _assert_no_secret_in(output, fresh_site.device_codes(seed.SMS_USER), seed.SMS_NUMBER)


def test_tyntec_down_during_phone_setup_shows_django_two_factor_auths_warning(
    fresh_site: Site, fake: FakeTyntec
) -> None:
    number = "+4915123456701"
    browser = requests.Session()
    fresh_site.sign_in(browser, seed.NEW_USER, seed.PASSWORD)
    setup = "/account/two_factor/setup/"
    browser.get(fresh_site.url + setup, timeout=10)
    fresh_site.post_step(browser, setup, "welcome", {})
    fresh_site.post_step(browser, setup, "method", {"method-method": "sms"})
    fake.inject(Fault("status", operation="send", status=500))
    page = fresh_site.post_step(browser, setup, "sms", {"sms-number": number})

    assert page.status_code == 200
    assert "encountered an issue with the selected authentication method" in page.text
    assert fake.outbox == []
    output = fresh_site.output()
    assert "Could not generate challenge" in output  # django-two-factor-auth's own log
    assert "not sent: provider_unavailable" in output
    assert number not in output
