"""The demo site `make demo` serves: checks pass, settings come from the environment,
the seed is idempotent, and over real HTTP a password alone reaches nothing while the
password plus the code from the outbox reaches the protected page (S1)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from .example_site import DEMO_NUMBER, DEMO_USER, Site, example_env, manage, serve

pytestmark = pytest.mark.own_site

PRINT_SETTINGS = (
    "import json; from django.conf import settings; "
    "print(json.dumps({'db': settings.DATABASES['default'], 'cache': settings.CACHES['default'], "
    "'provider': settings.TYNTEC2FA_PROVIDER, 'debug': settings.DEBUG, "
    "'middleware': settings.MIDDLEWARE}))"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    directory = tmp_path_factory.mktemp("example")
    with serve(example_env(directory), directory / "runserver.log") as running:
        yield running


def _settings(env: dict[str, str]) -> dict[str, object]:
    return json.loads(manage("shell", "-v", "0", "-c", PRINT_SETTINGS, env=env).stdout)


def test_checks_pass(tmp_path: Path) -> None:
    result = manage("check", "--fail-level", "WARNING", env=example_env(tmp_path))
    assert "no issues" in result.stdout


def test_defaults_are_sqlite_locmem_and_the_local_provider(tmp_path: Path) -> None:
    found = _settings(example_env(tmp_path))
    assert found["db"]["ENGINE"] == "django.db.backends.sqlite3"
    assert found["cache"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert found["provider"] == "django_tyntec2fa.providers.local.LocalProvider"
    middleware = found["middleware"]
    auth = middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    assert middleware[auth + 1] == "django_tyntec2fa.gate.middleware.SecondFactorMiddleware"


def test_settings_from_the_environment(tmp_path: Path) -> None:
    env = example_env(
        tmp_path,
        DATABASE_URL="postgres://demo:p%40ss@db.internal:6543/twofa",
        REDIS_URL="redis://cache.internal:6379/2",
        TYNTEC2FA_PROVIDER="tyntec",
        TYNTEC2FA_API_URL="http://127.0.0.1:9",
        DJANGO_DEBUG="0",
    )
    found = _settings(env)
    expected = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "twofa",
        "USER": "demo",
        "PASSWORD": "p@ss",
        "HOST": "db.internal",
        "PORT": "6543",
    }
    assert {key: found["db"][key] for key in expected} == expected
    assert found["cache"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.internal:6379/2",
    }
    assert found["provider"] == "django_tyntec2fa.providers.tyntec.TyntecProvider"
    assert found["debug"] is False


def test_migrate_and_seed_are_idempotent(tmp_path: Path) -> None:
    env = example_env(tmp_path)
    manage("migrate", "--noinput", env=env)
    assert "Created demo user" in manage("seed_demo", env=env).stdout
    # Someone changed the password and lost the phone's confirmation: seeding repairs both.
    manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.contrib.auth.models import User; u = User.objects.get(username='demo'); "
        "u.set_password('other'); u.save(); u.tyntec2fa_devices.update(confirmed=False, "
        "is_primary=False)",
        env=env,
    )
    manage("migrate", "--noinput", env=env)
    assert "Reset demo user" in manage("seed_demo", env=env).stdout
    state = manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.contrib.auth.models import User; u = User.objects.get(username='demo'); "
        "print(User.objects.count(), u.check_password('demo-pass-2fa'), u.is_superuser, "
        "list(u.tyntec2fa_devices.values_list('number', 'label', 'confirmed', 'is_primary')))",
        env=env,
    ).stdout.strip()
    assert state == f"1 True True [('{DEMO_NUMBER}', 'Demo phone', True, True)]"


def test_the_demo_writes_its_notices_where_the_environment_says(tmp_path: Path) -> None:
    """EMAIL_BACKEND and EMAIL_FILE_PATH from the environment: a script reads the
    demo's security notices from files (docs/recovery.md); the number is masked (G4)."""
    mails = tmp_path / "mails"
    env = example_env(
        tmp_path,
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mails),
    )
    manage("migrate", "--noinput", env=env)
    manage("seed_demo", env=env)
    manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.contrib.auth.models import User; from django_tyntec2fa import flows; "
        "u = User.objects.get(username='demo'); "
        "flows.support.remove_device(None, u.tyntec2fa_devices.get())",
        env=env,
    )
    [notice] = [path.read_text("utf-8") for path in mails.iterdir()]
    assert "Subject: Example: A phone was removed from your account" in notice
    assert "To: demo@example.com" in notice
    assert "+49*******6789" in notice and DEMO_NUMBER not in notice


def test_runserver_serves_the_login_page(site: Site) -> None:
    page = requests.get(site.url + "/accounts/login/", timeout=5)
    assert page.status_code == 200
    assert 'name="password"' in page.text and 'name="csrfmiddlewaretoken"' in page.text


def _enter_code(
    site: Site, browser: requests.Session, challenge: requests.Response
) -> requests.Response:
    """POST the demo phone's latest code on the challenge page, as the browser would."""
    return browser.post(
        site.url + "/2fa/challenge/",
        data={
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            "code": site.delivered_code(DEMO_NUMBER),
        },
        headers={"Referer": challenge.url},
        timeout=10,
    )


def _sign_in(site: Site, browser: requests.Session, next_url: str) -> requests.Response:
    login = site.url + "/accounts/login/"
    browser.get(login, params={"next": next_url}, timeout=5)
    username, password = DEMO_USER
    return browser.post(
        login,
        data={
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            "username": username,
            "password": password,
            "next": next_url,
        },
        headers={"Referer": login},
        timeout=10,
    )


def test_password_then_code_reaches_the_protected_page_s1(site: Site) -> None:
    browser = requests.Session()
    challenge = _sign_in(site, browser, "/protected/")
    # The password alone leads to the code page (the app's LoginView redirects, so a
    # reload never posts the password again), not to the protected page.
    assert challenge.status_code == 200 and challenge.url == site.url + "/2fa/challenge/"
    assert 'action="/2fa/challenge/"' in challenge.text
    assert "+49*******6789" in challenge.text and DEMO_NUMBER not in challenge.text
    assert "Welcome" not in browser.get(site.url + "/protected/", timeout=5).text

    session_before = browser.cookies["sessionid"]
    verified = _enter_code(site, browser, challenge)
    assert verified.url == site.url + "/protected/"
    assert "Welcome, <strong>demo</strong>" in verified.text
    assert browser.cookies["sessionid"] != session_before  # S3


def test_the_outbox_json_lists_deliveries(site: Site) -> None:
    _sign_in(site, requests.Session(), "/")
    message = site.outbox()[-1]
    assert set(message) == {"number", "channel", "language", "text", "code", "otp_id", "created"}
    assert message["number"] == DEMO_NUMBER and message["channel"] == "SMS"
    assert re.fullmatch(r"[0-9]{6}", message["code"]) and message["code"] in message["text"]


def test_a_get_sends_nothing_p5(site: Site) -> None:
    browser = requests.Session()
    _sign_in(site, browser, "/")
    before = len(site.outbox())
    answer = browser.get(site.url + "/2fa/challenge/send/?channel=VOICE", timeout=5)
    assert answer.status_code == 405
    assert len(site.outbox()) == before


def test_the_outbox_exists_only_with_debug(tmp_path: Path) -> None:
    env = example_env(
        tmp_path,
        DJANGO_DEBUG="0",
        TYNTEC2FA_ALLOW_LOCAL_PROVIDER="1",
        DJANGO_ALLOWED_HOSTS="testserver",
    )
    status = manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.test import Client; c = Client(); "
        "print(c.get('/outbox/').status_code, c.get('/outbox.json').status_code)",
        env=env,
    ).stdout.strip()
    assert status == "404 404"


def test_the_admin_login_leads_into_the_challenge_s6a(site: Site) -> None:
    browser = requests.Session()
    login = site.url + "/admin/login/"
    browser.get(login, params={"next": "/admin/"}, timeout=5)
    username, password = DEMO_USER
    challenge = browser.post(
        login,
        data={
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            "username": username,
            "password": password,
            "next": "/admin/",
        },
        headers={"Referer": login},
        timeout=10,
    )
    assert challenge.url == site.url + "/2fa/challenge/?next=/admin/"
    assert "Site administration" not in browser.get(site.url + "/admin/", timeout=5).text
    admin = _enter_code(site, browser, challenge)
    assert admin.url == site.url + "/admin/"
    assert "Site administration" in admin.text and "Phone devices" in admin.text
