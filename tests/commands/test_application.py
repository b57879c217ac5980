"""``manage.py tyntec2fa_application show|check|sync`` against the fake tyntec server over
real HTTP on 127.0.0.1: a drifted application is found (exit 1) and fixed; the dry run
changes nothing; templates the app does not manage survive; provider failures are one
clear line and exit status 2, never a traceback. Every exchange is validated against
tyntec's OpenAPI file."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
import requests
from django.core.management import CommandError, call_command
from django.utils import translation

from django_tyntec2fa.conf import TYNTEC_PROVIDER
from django_tyntec2fa.management.commands.tyntec2fa_application import Command
from django_tyntec2fa.providers import registry
from django_tyntec2fa.providers.tyntec.http import HttpTransport
from django_tyntec2fa.testing.fake_tyntec import DEFAULT_APPLICATION_ID, FakeTyntec, Fault

from ..openapi.recorder import ExchangeRecorder

API_KEY = "application-command-key"
DRIFTED = {"pinLength": 4, "attempts": 2, "expire": 120, "name": "Shop"}
MANAGED = {"en", "en-voice", "de", "de-voice", "fr", "fr-voice"}
WRITES = ("app_create", "app_edit", "app_delete", "template_save", "template_delete")


@pytest.fixture
def fake(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTyntec]:
    """The fake tyntec server, and the settings that point the TyntecProvider at it.

    Every exchange of every provider built during the test (a changed setting builds a
    new one) is recorded and, at the end, validated against tyntec's OpenAPI file."""
    recorders: list[ExchangeRecorder] = []
    built = HttpTransport.__init__

    def recording(transport: HttpTransport, **kwargs: Any) -> None:
        built(transport, **kwargs)
        recorders.append(ExchangeRecorder.attach(transport.session))

    monkeypatch.setattr(HttpTransport, "__init__", recording)
    with FakeTyntec(api_key=API_KEY) as server:
        settings.TYNTEC2FA_PROVIDER = TYNTEC_PROVIDER
        settings.TYNTEC2FA_API_KEY = API_KEY
        settings.TYNTEC2FA_API_URL = server.url
        settings.TYNTEC2FA_TIMEOUT = (1.0, 2.0)
        settings.TYNTEC2FA_SERVICE_NAME = "Shop"
        yield server
    for recorder in recorders:
        recorder.assert_valid()


def _api(fake: FakeTyntec, method: str, path: str, **kwargs: Any) -> Any:
    response = requests.request(
        method, fake.url + "/2fa/v1" + path, headers={"apiKey": API_KEY}, timeout=5, **kwargs
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def drifted(fake: FakeTyntec, settings: Any) -> str:
    """An application for this site that allows fewer attempts, a shorter expiry and
    shorter codes than the settings, and has no German templates."""
    app_id = _api(fake, "POST", "/application", json=DRIFTED)["applicationId"]
    for language in ("en", "fr"):
        for channel in ("SMS", "VOICE"):
            _api(
                fake,
                "POST",
                f"/application/{app_id}/language",
                params={"language": language, "text": "Code {{OTP}}", "channel": channel},
            )
    settings.TYNTEC2FA_APPLICATION_ID = app_id
    return app_id


def _call(*args: str) -> tuple[int, str, str]:
    """Run the command: (exit status, stdout, the CommandError's message or "")."""
    out, err = StringIO(), StringIO()
    try:
        call_command("tyntec2fa_application", *args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), str(error)
    return 0, out.getvalue(), ""


def _run(*args: str) -> str:
    """Run the command expecting exit status 0; its stdout."""
    status, out, message = _call(*args)
    assert status == 0, (out, message)
    return out


def _writes(fake: FakeTyntec) -> int:
    return sum(fake.counters[name] for name in WRITES)


# -- a drifted application: found, planned, fixed ---------------------------------------


def test_check_finds_the_drift_sync_dry_run_changes_nothing_apply_fixes_it(
    fake: FakeTyntec, drifted: str
) -> None:
    status, out, message = _call("check")
    assert status == 1
    assert "disagrees" in message
    assert "pinLength: live 4, wanted 6 (TYNTEC2FA_PIN_LENGTH)" in out
    assert "attempts: live 2, wanted at least 3 (TYNTEC2FA_MAX_ATTEMPTS)" in out
    assert "expire: live 120, wanted at least 300 (seconds) (TYNTEC2FA_OTP_TTL)" in out
    assert "template de: live missing" in out
    assert "template de-voice: live missing" in out

    before, writes = fake.applications[drifted], _writes(fake)
    out = _run("sync")
    assert "Dry run: nothing was changed" in out
    assert "set pinLength = 6" in out and "write template de-voice" in out
    assert fake.applications[drifted] == before
    assert _writes(fake) == writes

    out = _run("sync", "--apply")
    assert "Done: 3 setting(s) and 6 template(s) written." in out
    app = fake.applications[drifted]
    assert (app.pin_length, app.attempts, app.expire, app.alphanumeric) == (6, 3, 300, False)
    assert set(app.template) == MANAGED

    out = _run("check")  # returns: exit status 0
    assert "The application agrees with the settings." in out
    out = _run("sync")
    assert "Nothing to do" in out


def test_templates_are_the_apps_own_translated_texts_with_tyntecs_placeholder_g8(
    fake: FakeTyntec, drifted: str
) -> None:
    _run("sync", "--apply")

    templates = fake.applications[drifted].template
    for language in ("en", "de", "fr"):
        with translation.override(language):
            do_not_share = translation.gettext("Do not share it with anyone.")
        for key in (language, f"{language}-voice"):
            assert templates[key].startswith("Shop")  # names the service
            assert do_not_share in templates[key]
            assert "{{OTP}}" in templates[key]
    assert templates["de"] != templates["en"] != templates["fr"]  # translated, not copied
    assert "5 minutes" in templates["en"]  # TYNTEC2FA_OTP_TTL, not tyntec's {{SEC}}
    assert "{{SEC}}" not in templates["en"]


def test_a_sent_code_uses_the_synced_german_template(fake: FakeTyntec, drifted: str) -> None:
    _run("sync", "--apply")

    registry.get_provider().send("+4915112345678", language="de")

    message = fake.outbox[-1]
    assert (message.language, len(message.code)) == ("de", 6)
    assert message.text == fake.applications[drifted].template["de"].replace(
        "{{OTP}}", message.code
    )


def test_templates_it_does_not_manage_survive_sync(fake: FakeTyntec, drifted: str) -> None:
    for language, channel in (("es", "SMS"), ("it", "VOICE")):
        params = {"language": language, "text": f"{language}: {{{{OTP}}}}", "channel": channel}
        _api(fake, "POST", f"/application/{drifted}/language", params=params)

    out = _run("show")
    assert "es         unmanaged" in out and "it-voice   unmanaged" in out
    _run("sync", "--apply")

    templates = fake.applications[drifted].template
    assert (templates["es"], templates["it-voice"]) == ("es: {{OTP}}", "it: {{OTP}}")
    assert fake.counters["template_delete"] == 0  # sync never deletes


def test_more_attempts_and_a_longer_expiry_than_the_settings_agree(
    fake: FakeTyntec, drifted: str
) -> None:
    _run("sync", "--apply")
    _api(fake, "POST", f"/application/{drifted}", params={"attempts": 5, "expire": 900})

    out = _run("check")

    assert "agrees" in out


def test_letters_in_codes_are_found_and_switched_off(fake: FakeTyntec, drifted: str) -> None:
    _run("sync", "--apply")
    _api(fake, "POST", f"/application/{drifted}", params={"alphaNumeric": "true"})

    status, out, _ = _call("check")

    assert status == 1
    assert "alphanumeric: live true, wanted false (the app's codes are digits)" in out
    _run("sync", "--apply")
    assert fake.applications[drifted].alphanumeric is False


def test_show_marks_what_differs(fake: FakeTyntec, drifted: str) -> None:
    out = _run("show")

    assert f"tyntec application {drifted} (Shop; TYNTEC2FA_APPLICATION_ID)" in out
    assert "pinLength" in out and "DIFFERS" in out
    assert "de         managed    missing" in out
    assert "fr         managed    DIFFERS" in out


def test_only_the_sites_languages_are_managed(
    fake: FakeTyntec, drifted: str, settings: Any
) -> None:
    settings.LANGUAGES = [("de-at", "Deutsch (Österreich)"), ("en-gb", "English"), ("ja", "日本語")]

    _run("sync", "--apply")

    templates = fake.applications[drifted].template
    assert templates["fr"] == "Code {{OTP}}"  # French is not offered: left as it was
    assert {"de", "de-voice", "en", "en-voice"} <= set(templates)
    assert "ja" not in templates  # the app has no Japanese texts


def test_sender_and_caller_follow_the_settings_when_set(
    fake: FakeTyntec, drifted: str, settings: Any
) -> None:
    settings.TYNTEC2FA_SENDER = "SHOP"
    settings.TYNTEC2FA_CALLER = "+4930123456"

    status, out, _ = _call("check")
    assert status == 1
    assert "sender: live 'VERIFY', wanted 'SHOP' (TYNTEC2FA_SENDER)" in out
    assert "caller: live unset, wanted '+4930123456'" in out
    _run("sync", "--apply")

    app = fake.applications[drifted]
    assert (app.sender, app.caller) == ("SHOP", "+4930123456")


def test_a_failure_midway_is_reported_and_the_next_sync_finishes(
    fake: FakeTyntec, drifted: str
) -> None:
    fake.inject(Fault("status", operation="template_save", status=500))

    status, _, message = _call("sync", "--apply")

    assert status == 2
    assert "tyntec did not answer" in message and "Run sync again" in message
    _run("sync", "--apply")
    assert "agrees" in _run("check")


def test_without_a_service_name_every_subcommand_warns_g8(
    fake: FakeTyntec, drifted: str, settings: Any
) -> None:
    settings.TYNTEC2FA_SERVICE_NAME = ""
    out, err = StringIO(), StringIO()

    call_command("tyntec2fa_application", "sync", "--apply", stdout=out, stderr=err)

    assert "TYNTEC2FA_SERVICE_NAME is empty" in err.getvalue()
    assert fake.applications[drifted].template["en"].startswith("Your verification code")


# -- without TYNTEC2FA_APPLICATION_ID: tyntec's default application ---------------------


def test_the_default_application_is_not_changed_without_being_told(fake: FakeTyntec) -> None:
    before = fake.applications[DEFAULT_APPLICATION_ID]

    assert _call("check")[0] == 1  # 4 digits, tyntec's texts
    out = _run("sync")
    assert "Plan for tyntec application default" in out
    assert "--apply also needs --default, or use --create" in out
    status, _, message = _call("sync", "--apply")

    assert status == 2
    assert "--create" in message and "--default" in message
    assert fake.applications[DEFAULT_APPLICATION_ID] == before
    assert _writes(fake) == 0


def test_default_flag_changes_the_default_application(fake: FakeTyntec) -> None:
    _run("sync", "--apply", "--default")

    assert fake.applications[DEFAULT_APPLICATION_ID].pin_length == 6
    assert "agrees" in _run("check")


def test_create_makes_an_application_and_prints_its_id(fake: FakeTyntec, settings: Any) -> None:
    out = _run("sync", "--create")
    assert "Plan: create a new tyntec application" in out
    assert len(fake.applications) == 1  # dry run

    out = _run("sync", "--create", "--apply")

    (new_id,) = set(fake.applications) - {DEFAULT_APPLICATION_ID}
    assert f'TYNTEC2FA_APPLICATION_ID = "{new_id}"' in out
    assert fake.applications[DEFAULT_APPLICATION_ID].pin_length == 4  # untouched
    settings.TYNTEC2FA_APPLICATION_ID = new_id
    assert "agrees" in _run("check")


def test_create_refuses_when_an_application_is_configured(fake: FakeTyntec, drifted: str) -> None:
    status, _, message = _call("sync", "--create")

    assert status == 2
    assert "TYNTEC2FA_APPLICATION_ID is set" in message


# -- failures: one clear line, exit status 2 --------------------------------------------


def test_unreachable_tyntec(settings: Any) -> None:
    with FakeTyntec(api_key=API_KEY) as gone:
        url = gone.url  # a loopback port nobody listens on any more
    settings.TYNTEC2FA_PROVIDER = TYNTEC_PROVIDER
    settings.TYNTEC2FA_API_KEY = API_KEY
    settings.TYNTEC2FA_API_URL = url
    settings.TYNTEC2FA_TIMEOUT = (0.5, 0.5)

    status, _, message = _call("check")

    assert status == 2
    assert message.startswith("tyntec did not answer (get_application: ConnectionError")


def test_a_refused_api_key(fake: FakeTyntec, settings: Any) -> None:
    settings.TYNTEC2FA_API_KEY = "not-the-key"

    status, _, message = _call("show")

    assert status == 2
    assert "tyntec cannot be used as configured (get_application: HTTP 403" in message
    assert "TYNTEC2FA_API_KEY" in message
    assert "not-the-key" not in message


def test_an_unknown_application_id(fake: FakeTyntec, settings: Any) -> None:
    settings.TYNTEC2FA_APPLICATION_ID = "3f1c9a52-0000-4000-8000-000000000000"

    status, _, message = _call("check")

    assert status == 2
    assert "tyntec does not know application '3f1c9a52-0000-4000-8000-000000000000'" in message


def test_a_malformed_application_id(fake: FakeTyntec, settings: Any) -> None:
    settings.TYNTEC2FA_APPLICATION_ID = "../otp"

    status, _, message = _call("sync")

    assert status == 2
    assert "is not a valid application id" in message
    assert sum(fake.counters.values()) == 0  # nothing was sent


def test_the_local_provider_has_no_application() -> None:
    status, _, message = _call("show")

    assert status == 2
    assert "LocalProvider, which has no tyntec application" in message


def test_from_the_command_line_an_error_is_one_line_without_traceback(
    fake: FakeTyntec, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.TYNTEC2FA_APPLICATION_ID = "3f1c9a52-0000-4000-8000-000000000000"

    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["manage.py", "tyntec2fa_application", "--skip-checks", "check"])

    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("CommandError: tyntec does not know application")
    assert "Traceback" not in err


def test_from_the_command_line_drift_exits_1(
    fake: FakeTyntec, drifted: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["manage.py", "tyntec2fa_application", "--skip-checks", "check"])

    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert "attempts: live 2" in captured.out
    assert "Traceback" not in captured.err
