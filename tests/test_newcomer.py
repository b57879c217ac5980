"""A newcomer's first hour: a fresh ``startproject`` set up exactly as the development
block of docs/installation.md says signs in over real HTTP, with no template of its own;
the app's sign-in page; a refused code never comes back into the code box; the
classifiers name every Django version the README claims."""

from __future__ import annotations

import configparser
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.test import Client
from django.urls import include, path, reverse

from django_tyntec2fa.providers import sinks
from django_tyntec2fa.views import LoginView

from .example_site import free_port
from .people import PASSWORD
from .steps import wrong_code

ROOT = Path(__file__).resolve().parent.parent
INSTALLATION = ROOT / "docs" / "installation.md"
BROWSER = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}

# --- The development block of docs/installation.md, followed to the letter ----------------

USER = ("ann", "a-long-dev-password-2fa")
NUMBER = "+49 151 23456789"
#: The shell commands of the doc's development block, and what this test runs for each
#: (with a port, no prompts, no reloader). A command the doc adds fails the test here.
COMMANDS = {
    "python -m pip install django-tyntec2fa": None,  # the working tree is on PYTHONPATH
    "django-admin startproject mysite .": ["-m", "django", "startproject", "mysite", "."],
    "python manage.py migrate": ["manage.py", "migrate", "--noinput"],
    "python manage.py createsuperuser": [
        "manage.py",
        "createsuperuser",
        "--noinput",
        "--username",
        USER[0],
        "--email",
        "ann@example.com",
    ],
    "python manage.py runserver": None,  # started below on a free port
}
CONSOLE_CODE = re.compile(r"^\[tyntec2fa local SMS to \+\d+\] .*?\b(\d{6})\b", re.M)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def development_block() -> tuple[list[str], dict[str, str]]:
    """The shell commands and the files (by their first-line comment) of the section
    "Start here" of docs/installation.md."""
    text = INSTALLATION.read_text(encoding="utf-8")
    start = text.index("## Start here")
    section = text[start : text.index("\n## ", start + 1)]
    commands: list[str] = []
    files: dict[str, str] = {}
    for language, body in re.findall(r"^```(\w+)\n(.*?)^```", section, re.M | re.S):
        if language == "sh":
            commands += [line for line in body.splitlines() if line.strip()]
        elif language == "python":
            first = body.splitlines()[0]
            assert first.startswith("# mysite/"), first
            files[first[2:]] = body
    return commands, files


def _env() -> dict[str, str]:
    """A clean environment: none of the suite's settings, the working tree importable."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TYNTEC2FA_", "DJANGO_"))
        and key not in {"DATABASE_URL", "REDIS_URL", "PYTHONPATH"}
    }
    env.update(PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1", DJANGO_SUPERUSER_PASSWORD=USER[1])
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def new_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """``startproject``, the doc's edits, ``check``, ``migrate``, a user, ``runserver``."""
    commands, files = development_block()
    assert commands == list(COMMANDS), "docs/installation.md changed its commands"
    assert set(files) == {"mysite/settings.py", "mysite/urls.py"}
    directory = tmp_path_factory.mktemp("newcomer")
    env = _env()
    _run(COMMANDS["django-admin startproject mysite ."] or [], directory, env)
    settings_py = directory / "mysite" / "settings.py"
    # "Replace INSTALLED_APPS and MIDDLEWARE, add the rest at the end": appended, the
    # block's assignments replace startproject's.
    settings_py.write_text(settings_py.read_text() + "\n" + files["mysite/settings.py"])
    (directory / "mysite" / "urls.py").write_text(files["mysite/urls.py"])
    checked = _run(["manage.py", "check", "--fail-level", "WARNING"], directory, env)
    assert "no issues (1 silenced)" in checked, checked
    for command in ("python manage.py migrate", "python manage.py createsuperuser"):
        _run(COMMANDS[command] or [], directory, env)
    port = free_port()
    log = directory / "runserver.log"
    with log.open("w") as sink:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=directory,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_up(url, server, log)
            yield url, log
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"runserver exited:\n{log.read_text(errors='replace')}")
        try:
            requests.get(url + "/accounts/login/", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise AssertionError(f"runserver did not answer:\n{log.read_text(errors='replace')}")


def _console_code(log: Path, count: int) -> str:
    """The code of the ``count``-th message the local provider printed."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        codes = CONSOLE_CODE.findall(log.read_text(errors="replace"))
        if len(codes) >= count:
            return codes[count - 1]
        time.sleep(0.05)
    raise AssertionError(f"no code number {count} in the console:\n{log.read_text()}")


def _post(browser: requests.Session, page: requests.Response, url: str, **data: str) -> Any:
    """Submit a form of ``page`` with its CSRF token, as a browser would."""
    token = CSRF.search(page.text)
    assert token, page.text
    return browser.post(url, data={"csrfmiddlewaretoken": token.group(1), **data}, timeout=10)


@pytest.mark.own_site
def test_a_new_project_signs_in_as_installation_md_says(new_project: tuple[str, Path]) -> None:
    """password → the phones page sends a user without a phone to /2fa/enroll/ → the
    code from the console confirms the phone; then a new browser: password → the code
    page → the code from the console → signed in. No template of the project's own."""
    url, log = new_project
    browser = requests.Session()
    browser.headers.update(BROWSER)
    login = browser.get(url + "/accounts/login/", timeout=10)
    assert login.status_code == 200
    assert '<html lang="en-us"' in login.text and 'autocomplete="current-password"' in login.text

    enroll = _post(browser, login, url + "/accounts/login/", username=USER[0], password=USER[1])
    assert enroll.status_code == 200, enroll.text
    assert enroll.url == url + "/2fa/enroll/?next=/2fa/devices/"
    confirm = _post(browser, enroll, enroll.url, number=NUMBER, channel="SMS", next="/2fa/devices/")
    assert confirm.status_code == 200 and confirm.url.startswith(url + "/2fa/enroll/confirm/")
    code = _console_code(log, 1)
    refused = _post(browser, confirm, confirm.url, code=wrong_code(code), next="/2fa/devices/")
    # Refused: one redirect back to the page (post/redirect/get), never the code echoed.
    assert [answer.status_code for answer in refused.history] == [302]
    assert refused.status_code == 200 and refused.url == confirm.url
    assert "That code is not valid" in refused.text and wrong_code(code) not in refused.text
    offer = _post(browser, refused, confirm.url, code=code, next="/2fa/devices/")
    # The first phone brings the offer of recovery codes; "Not now" goes on to next.
    assert offer.status_code == 200
    assert offer.url == url + "/2fa/recovery-codes/?next=/2fa/devices/"
    assert "You have no recovery codes yet." in offer.text
    assert '<a href="/2fa/devices/">Not now</a>' in offer.text
    devices = browser.get(url + "/2fa/devices/", timeout=10)
    assert devices.status_code == 200 and devices.url == url + "/2fa/devices/"
    assert "Your phones" in devices.text and "Primary" in devices.text

    # A private window: the password alone now brings the code page.
    private = requests.Session()
    private.headers.update(BROWSER)
    login = private.get(url + "/accounts/login/", timeout=10)
    challenge = _post(private, login, url + "/accounts/login/", username=USER[0], password=USER[1])
    assert challenge.status_code == 200 and challenge.url == url + "/2fa/challenge/"
    assert "Enter your code" in challenge.text and 'autocomplete="one-time-code"' in challenge.text
    assert private.get(url + "/2fa/devices/", timeout=10).url.startswith(url + "/2fa/challenge/")
    signed_in = _post(private, challenge, url + "/2fa/challenge/", code=_console_code(log, 2))
    assert signed_in.status_code == 200 and signed_in.url == url + "/2fa/devices/"
    assert "Your phones" in signed_in.text
    output = log.read_text(errors="replace")
    assert "Traceback" not in output and '" 500 ' not in output, output


# --- The app's sign-in page and the code box, in process ---------------------------------

urlpatterns = [
    # The app's LoginView with no template_name: the project has no registration/login.html.
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("2fa/", include("django_tyntec2fa.urls")),
    path("django-login/", auth_views.LoginView.as_view(), name="django-login"),
]


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    """This module's URLs; rate-limit counters start from zero."""
    settings.ROOT_URLCONF = __name__
    settings.LOGIN_REDIRECT_URL = "/2fa/devices/"
    cache.clear()


@pytest.fixture
def browser() -> Client:
    return Client(headers=BROWSER)


def _templates(response: Any) -> list[str]:
    return [template.name for template in response.templates if template.name]


def test_the_login_view_falls_back_to_the_apps_page(browser: Client, db: None) -> None:
    """No registration/login.html anywhere: Django's own view fails, the app's does not."""
    page = browser.get("/accounts/login/?next=/2fa/devices/")
    assert page.status_code == 200
    assert "django_tyntec2fa/login.html" in _templates(page)
    assert "django_tyntec2fa/layout.html" in _templates(page)  # the app's layout
    html = page.content.decode()
    assert '<html lang="en">' in html and "<title>Sign in</title>" in html
    for fragment in (
        '<label for="id_username">',
        '<label for="id_password">',
        'autocomplete="username"',
        'autocomplete="current-password"',
        '<input type="hidden" name="next" value="/2fa/devices/">',
    ):
        assert fragment in html, fragment
    assert '<form method="post">' in html  # to this URL, its ?next= included
    with pytest.raises(Exception, match="registration/login.html"):
        browser.get("/django-login/")


def test_sign_in_errors_belong_to_their_fields(browser: Client, alice: Any) -> None:
    missing = browser.post("/accounts/login/", {"username": "alice", "password": ""})
    html = missing.content.decode()
    assert missing.status_code == 200
    assert 'id="id_password_error"' in html
    assert 'aria-invalid="true" aria-describedby="id_password_error"' in html
    wrong = browser.post("/accounts/login/", {"username": "alice", "password": "nope"})
    html = wrong.content.decode()
    assert '<div class="alert" role="alert" id="tyntec2fa-alert">' in html
    assert "Please enter a correct username and password." in html
    assert not sinks.outbox


def test_the_sign_in_page_speaks_german(browser: Client, db: None, settings: Any) -> None:
    settings.LANGUAGE_CODE = "de"
    html = browser.get("/accounts/login/").content.decode()
    assert '<html lang="de">' in html and "<title>Anmelden</title>" in html


def test_a_project_template_wins(browser: Client, db: None, settings: Any, tmp_path: Path) -> None:
    (tmp_path / "registration").mkdir()
    (tmp_path / "registration" / "login.html").write_text("the project's own {{ form.username }}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    page = browser.get("/accounts/login/")
    assert page.status_code == 200
    assert page.content.decode().startswith("the project's own <input")
    assert "django_tyntec2fa/login.html" not in _templates(page)


def test_the_password_answer_uses_the_apps_pages(browser: Client, alice: Any) -> None:
    """The app's LoginView redirects a user with a phone to the app's challenge page."""
    answer = browser.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert answer.status_code == 302 and answer.url == "/2fa/challenge/"
    assert "django_tyntec2fa/challenge.html" in _templates(browser.get(answer.url))


def _code_input(response: Any) -> str:
    (tag,) = re.findall(r"<input[^>]*\bname=\"code\"[^>]*>", response.content.decode())
    return tag


def _assert_not_echoed(response: Any, typed: str) -> None:
    """``response`` followed its redirects: a refused code comes back to its page by one
    redirect (post/redirect/get), a malformed one is the page again with 400."""
    answer = (response.status_code, len(response.redirect_chain))
    assert answer in {(200, 1), (400, 0)}, answer
    tag = _code_input(response)
    assert "value=" not in tag, tag
    assert 'aria-invalid="true"' in tag
    assert typed not in response.content.decode()


@pytest.mark.parametrize("typed", ["wrong", "1" * 65], ids=["wrong", "too-long"])
def test_a_refused_code_is_not_echoed_on_the_login_challenge(
    browser: Client, alice: Any, typed: str
) -> None:
    browser.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    typed = wrong_code(sinks.outbox[-1].code) if typed == "wrong" else typed
    response = browser.post(reverse("tyntec2fa:challenge"), {"code": typed}, follow=True)
    _assert_not_echoed(response, typed)


def test_a_refused_code_is_not_echoed_on_the_enrollment_confirmation(
    browser: Client, carol: Any
) -> None:
    browser.force_login(carol)
    sent = browser.post(reverse("tyntec2fa:enroll"), {"number": NUMBER, "channel": "SMS"})
    assert sent.status_code == 302
    typed = wrong_code(sinks.outbox[-1].code)
    response = browser.post(reverse("tyntec2fa:enroll-confirm"), {"code": typed}, follow=True)
    _assert_not_echoed(response, typed)


def test_a_refused_code_is_not_echoed_on_the_step_up(browser: Client, alice: Any) -> None:
    browser.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    done = browser.post(reverse("tyntec2fa:challenge"), {"code": sinks.outbox[-1].code})
    assert done.status_code == 302
    browser.post(reverse("tyntec2fa:step-up-send"), {"channel": "SMS"})
    typed = wrong_code(sinks.outbox[-1].code)
    response = browser.post(reverse("tyntec2fa:step-up"), {"code": typed}, follow=True)
    _assert_not_echoed(response, typed)


# --- Packaging ------------------------------------------------------------------------------


def test_the_classifiers_name_every_django_version_the_readme_claims() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    claim = re.search(r"Django\s+(\d+\.\d+)\s+LTS,\s+(\d+\.\d+)\s+or\s+(\d+\.\d+)", readme)
    assert claim, "README no longer states the Django versions"
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    classifiers = set(config["metadata"]["classifiers"].split("\n"))
    tox = (ROOT / "tox.ini").read_text(encoding="utf-8")
    for version in claim.groups():
        assert f"Framework :: Django :: {version}" in classifiers, version
        assert f"django{version.replace('.', '')}: Django>={version}" in tox, version
