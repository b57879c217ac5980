"""System checks of the provider, the code policy, TYNTEC2FA_REQUIRED, LOGIN_URL and the
token issuer; and the rules every check follows: one test per id (here and in
tests/gate, tests/api and tests/abuse), docs/settings.md lists exactly the ids the code
has, an Error and a Warning never share a number, every message has a hint, a hint on an
Error never offers to silence it, and messages explain in words, not requirement ids."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.checks import Error, Warning
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder

from django_tyntec2fa.conf import LOCAL_PROVIDER, TYNTEC_PROVIDER

from .system_checks import app_check_ids, app_checks

ROOT = Path(__file__).resolve().parent.parent
CHECK_MODULES = [
    ROOT / "django_tyntec2fa" / "checks.py",
    ROOT / "django_tyntec2fa" / "api" / "checks.py",
]
CHECK_TESTS = [
    ROOT / "tests" / "test_checks.py",
    ROOT / "tests" / "gate" / "test_checks.py",
    ROOT / "tests" / "api" / "test_checks.py",
    ROOT / "tests" / "abuse" / "test_checks.py",
    ROOT / "tests" / "api" / "test_token_unavailable.py",
]
SETTINGS_DOC = ROOT / "docs" / "settings.md"
CHECK_ID = re.compile(r"django_tyntec2fa\.([EW]\d{3})")
#: A requirement id of docs/security.md (G2, S8, P7, ...) as a word of its own.
REQUIREMENT_ID = re.compile(r"\b[GLPSEUR]\d{1,2}\b")


def test_the_baseline_reports_nothing() -> None:
    """The clean configuration the check tests start from gives none of the app's ids."""
    assert app_check_ids() == []


# --- The provider ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["no.such.module.Provider", "django_tyntec2fa.conf.Settings", "os.path"]
)
def test_provider_that_is_not_a_provider_class_e001(path: str) -> None:
    assert app_check_ids(TYNTEC2FA_PROVIDER=path) == ["django_tyntec2fa.E001"]


@pytest.mark.parametrize("path", [TYNTEC_PROVIDER, LOCAL_PROVIDER])
def test_both_shipped_providers_are_provider_classes(path: str) -> None:
    assert app_check_ids(TYNTEC2FA_PROVIDER=path, TYNTEC2FA_API_KEY="k") == []


def test_tyntec_provider_without_api_key_e002(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TYNTEC2FA_API_KEY", raising=False)
    found = app_check_ids(TYNTEC2FA_PROVIDER=TYNTEC_PROVIDER, TYNTEC2FA_API_KEY="")
    assert found == ["django_tyntec2fa.E002"]


def test_api_key_from_the_environment_is_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TYNTEC2FA_API_KEY", "from-env")
    assert app_check_ids(TYNTEC2FA_PROVIDER=TYNTEC_PROVIDER) == []


@pytest.mark.parametrize(
    ("url", "debug", "reported"),
    [
        ("http://api.tyntec.com", False, True),
        ("ftp://api.tyntec.com", False, True),
        ("http://10.0.0.5:8765", False, True),
        ("https://api.tyntec.com", False, False),
        ("http://api.tyntec.com", True, False),
        ("http://127.0.0.1:8765", False, False),  # the fake server in a test environment
        ("http://localhost:8765", False, False),
    ],
)
def test_api_url_that_is_not_https_e003(url: str, debug: bool, reported: bool) -> None:
    found = app_check_ids(
        TYNTEC2FA_PROVIDER=TYNTEC_PROVIDER,
        TYNTEC2FA_API_KEY="k",
        TYNTEC2FA_API_URL=url,
        DEBUG=debug,
    )
    assert found == (["django_tyntec2fa.E003"] if reported else [])


@pytest.mark.parametrize(
    ("debug", "allowed", "reported"),
    [(False, False, True), (False, True, False), (True, False, False)],
)
def test_local_provider_in_production_e007_r5(debug: bool, allowed: bool, reported: bool) -> None:
    found = app_check_ids(
        TYNTEC2FA_PROVIDER=LOCAL_PROVIDER, DEBUG=debug, TYNTEC2FA_ALLOW_LOCAL_PROVIDER=allowed
    )
    assert found == (["django_tyntec2fa.E007"] if reported else [])


# --- Codes, attempts, timeouts; a value of the wrong type is the setting's own id ------


@pytest.mark.parametrize(
    ("value", "reported"),
    [(4, True), (5, True), (11, True), ("six", True), (None, True), (6, False), (10, False)],
)
def test_pin_length_outside_6_to_10_e004_g2(value: Any, reported: bool) -> None:
    """Fewer than 6 digits is an Error, whatever the provider."""
    found = app_check_ids(TYNTEC2FA_PIN_LENGTH=value)
    assert found == (["django_tyntec2fa.E004"] if reported else [])


@pytest.mark.parametrize(
    ("value", "reported"), [(29, True), (601, True), ("5m", True), (30, False), (600, False)]
)
def test_code_lifetime_outside_30_to_600_seconds_e005_g6(value: Any, reported: bool) -> None:
    found = app_check_ids(TYNTEC2FA_OTP_TTL=value)
    assert found == (["django_tyntec2fa.E005"] if reported else [])


@pytest.mark.parametrize(
    ("value", "reported"), [(0, True), (11, True), ("x", True), (1, False), (10, False)]
)
def test_attempts_per_code_outside_1_to_10_e006_l1(value: Any, reported: bool) -> None:
    found = app_check_ids(TYNTEC2FA_MAX_ATTEMPTS=value)
    assert found == (["django_tyntec2fa.E006"] if reported else [])


@pytest.mark.parametrize(
    ("value", "reported"),
    [((0, 10), True), (-1, True), ("slow", True), ((1, 2, 3), True), ((3, 10), False), (5, False)],
)
def test_timeout_that_is_not_positive_seconds_e008(value: Any, reported: bool) -> None:
    found = app_check_ids(TYNTEC2FA_TIMEOUT=value)
    assert found == (["django_tyntec2fa.E008"] if reported else [])


@pytest.mark.parametrize(
    ("value", "reported"), [(-1, True), ("often", True), (0, False), (5, False)]
)
def test_breaker_threshold_that_is_not_a_count_e041(value: Any, reported: bool) -> None:
    found = app_check_ids(TYNTEC2FA_BREAKER_FAILURES=value)
    assert found == (["django_tyntec2fa.E041"] if reported else [])


@pytest.mark.parametrize("name", ["BREAKER_WINDOW", "BREAKER_COOL_OFF"])
@pytest.mark.parametrize(
    ("value", "reported"), [(0, True), (-5, True), ("soon", True), (1, False), (30, False)]
)
def test_breaker_seconds_that_are_not_positive_e042(name: str, value: Any, reported: bool) -> None:
    found = app_check_ids(**{f"TYNTEC2FA_{name}": value})
    assert found == (["django_tyntec2fa.E042"] if reported else [])


@pytest.mark.parametrize(
    ("value", "reported"),
    [(-1, True), (366, True), ("month", True), (None, True), (0, False), (30, False), (365, False)],
)
def test_trust_browser_days_outside_0_to_365_e050(value: Any, reported: bool) -> None:
    found = app_check_ids(TYNTEC2FA_TRUST_BROWSER_DAYS=value)
    assert found == (["django_tyntec2fa.E050"] if reported else [])


@pytest.mark.parametrize(
    ("value", "reported"),
    [(-1, True), (51, True), ("some", True), (None, True), (0, False), (10, False), (50, False)],
)
def test_recovery_codes_outside_0_to_50_e043(value: Any, reported: bool) -> None:
    found = app_check_ids(TYNTEC2FA_RECOVERY_CODES=value)
    assert found == (["django_tyntec2fa.E043"] if reported else [])


@pytest.mark.parametrize(
    ("value", "reported"),
    [
        ("no.such.sender", True),
        ("django_tyntec2fa.conf", True),  # a module, not a callable
        (42, True),
        (None, True),
        (True, False),
        (False, False),
        (print, False),
        ("django.core.mail.send_mail", False),
    ],
)
def test_notify_that_is_not_a_switch_or_a_sender_e044(value: Any, reported: bool) -> None:
    found = app_check_ids(TYNTEC2FA_NOTIFY=value)
    assert found == (["django_tyntec2fa.E044"] if reported else [])


@pytest.mark.parametrize(
    ("value", "reported"),
    [(0, True), (-1, True), (101, True), ("many", True), (1, False), (20, False), (100, False)],
)
def test_lockout_threshold_outside_1_to_100_e009_l2(value: Any, reported: bool) -> None:
    found = app_checks(TYNTEC2FA_LOCKOUT_THRESHOLD=value)
    assert [message.id for message in found] == (["django_tyntec2fa.E009"] if reported else [])
    if reported:
        assert repr(value) in found[0].msg and "from 1 to 100" in found[0].msg


# --- Who must use a second factor ------------------------------------------------------


def rule(user: Any) -> bool:
    return True


@pytest.mark.parametrize(
    "value", ["no.such.module.rule", "django_tyntec2fa.conf.LOCAL_PROVIDER", "staff", True, 42]
)
def test_required_that_is_not_a_callable_e029(value: Any) -> None:
    found = app_checks(TYNTEC2FA_REQUIRED=value)
    assert [message.id for message in found] == ["django_tyntec2fa.E029"]
    assert repr(value) in found[0].msg


@pytest.mark.parametrize(
    "value",
    [
        None,
        "django_tyntec2fa.core.policy.staff_required",
        "django_tyntec2fa.core.policy.all_users",
        f"{__name__}.rule",
        rule,
    ],
)
def test_required_accepts_none_a_callable_or_its_path(value: Any) -> None:
    assert app_check_ids(TYNTEC2FA_REQUIRED=value) == []


# --- LOGIN_URL -------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["no-such-login", "admin:no-such-view"])
def test_login_url_name_that_does_not_reverse_e031(value: str) -> None:
    found = app_checks(LOGIN_URL=value)
    assert [message.id for message in found] == ["django_tyntec2fa.E031"]
    assert repr(value) in found[0].msg


@pytest.mark.parametrize(
    "value", ["/accounts/login/", "/not/routed/", "https://sso.example.com/login", "login"]
)
def test_login_url_as_a_path_or_a_routed_name_passes(value: str) -> None:
    """A path is never checked (it may be served by something else than Django)."""
    assert app_check_ids(LOGIN_URL=value) == []


# --- The JSON API's token issuer -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("no.such.module.issuer", ["django_tyntec2fa.E017"]),
        ("django_tyntec2fa.conf.LOCAL_PROVIDER", ["django_tyntec2fa.E017"]),  # a string
        (None, []),
        ("", []),
        ("django_tyntec2fa.api.tokens.authtoken_issuer", []),
    ],
)
def test_token_issuer_that_is_not_an_importable_callable_e017(
    value: str | None, expected: list[str]
) -> None:
    assert app_check_ids(TYNTEC2FA_API_TOKEN_ISSUER=value) == expected


# --- Delivery status and voice fallback ----------------------------------------------


@pytest.mark.parametrize(
    ("value", "reported"),
    [(4, True), (601, True), ("soon", True), (None, True), (5, False), (20, False), (600, False)],
)
def test_fallback_after_outside_5_to_600_seconds_e060(value: Any, reported: bool) -> None:
    found = app_check_ids(TYNTEC2FA_FALLBACK_AFTER=value)
    assert found == (["django_tyntec2fa.E060"] if reported else [])


@pytest.mark.parametrize(
    ("value", "reported"), [("yes", True), (1, True), (True, False), (False, False)]
)
def test_auto_voice_fallback_that_is_not_a_boolean_e061(value: Any, reported: bool) -> None:
    found = app_check_ids(TYNTEC2FA_AUTO_VOICE_FALLBACK=value)
    assert found == (["django_tyntec2fa.E061"] if reported else [])


@pytest.mark.parametrize(
    ("delivery", "delay", "reported"),
    [
        ("lost", 0, True),
        ({"SMS": "failed", "FAX": "delivered"}, 0, True),
        ({"SMS": "late"}, 0, True),
        ("delivered", -1, True),
        ("delivered", "soon", True),
        ("silent", 0, False),
        ({"SMS": "failed", "VOICE": "delivered"}, 2.5, False),
    ],
)
def test_local_delivery_the_local_provider_cannot_report_e062(
    delivery: Any, delay: Any, reported: bool
) -> None:
    found = app_check_ids(TYNTEC2FA_LOCAL_DELIVERY=delivery, TYNTEC2FA_LOCAL_DELIVERY_DELAY=delay)
    assert found == (["django_tyntec2fa.E062"] if reported else [])


# --- The rules every check follows -----------------------------------------------------

SESSION = "django.contrib.sessions.middleware.SessionMiddleware"
AUTH = "django.contrib.auth.middleware.AuthenticationMiddleware"
GATE = "django_tyntec2fa.gate.middleware.SecondFactorMiddleware"
#: Configurations that together make every check fire (some exclude each other).
EVERYTHING_WRONG: list[dict[str, Any]] = [
    {
        "TYNTEC2FA_PROVIDER": TYNTEC_PROVIDER,
        "TYNTEC2FA_API_KEY": "",
        "TYNTEC2FA_API_URL": "http://api.tyntec.com",
        "TYNTEC2FA_PIN_LENGTH": 4,
        "TYNTEC2FA_OTP_TTL": 5,
        "TYNTEC2FA_MAX_ATTEMPTS": 0,
        "TYNTEC2FA_TIMEOUT": 0,
        "TYNTEC2FA_LOCKOUT_THRESHOLD": 0,
        "TYNTEC2FA_BREAKER_FAILURES": -1,
        "TYNTEC2FA_BREAKER_COOL_OFF": 0,
        "TYNTEC2FA_RECOVERY_CODES": -1,
        "TYNTEC2FA_TRUST_BROWSER_DAYS": 366,
        "TYNTEC2FA_FALLBACK_AFTER": 0,
        "TYNTEC2FA_AUTO_VOICE_FALLBACK": "yes",
        "TYNTEC2FA_LOCAL_DELIVERY": "lost",
        "TYNTEC2FA_NOTIFY": "no.such.sender",
        "TYNTEC2FA_REQUIRED": "no.such.rule",
        "MIDDLEWARE": [SESSION, GATE],
        "ROOT_URLCONF": "tests.gate.urls_without_the_app",
        "LOGIN_URL": "no-such-login",
        "SESSION_COOKIE_SECURE": False,
        "SESSION_COOKIE_HTTPONLY": False,
        "SESSION_COOKIE_SAMESITE": None,
        "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        "TYNTEC2FA_SEND_RATE_IP": "lots",
        "TYNTEC2FA_LOGIN_RATE_IP": "lots",
        "TYNTEC2FA_LOGIN_RATE_USER": 10,
        "TYNTEC2FA_SMS_COUNTRIES": None,
        "TYNTEC2FA_VOICE_COUNTRIES": ["XX"],
        "TYNTEC2FA_BLOCKED_NUMBER_TYPES": ["PREMIUM"],
        "TYNTEC2FA_NUMBER_LOOKUP": 42,
        "TYNTEC2FA_SEND_BUDGET_DAILY": 0,
        "TYNTEC2FA_CONVERSION_WINDOW": -1,
        "TYNTEC2FA_CONVERSION_MIN_RATE": 2,
        "TYNTEC2FA_CONVERSION_COUNTRY_MIN_SENDS": -1,
        "REST_FRAMEWORK": {
            "DEFAULT_AUTHENTICATION_CLASSES": [
                "rest_framework.authentication.BasicAuthentication",
                "no.such.Authentication",
            ]
        },
        "TYNTEC2FA_API_TOKEN_ISSUER": "no.such.issuer",
    },
    {
        "TYNTEC2FA_PROVIDER": "no.such.Provider",
        "MIDDLEWARE": [SESSION, AUTH],
        "ROOT_URLCONF": "tests.api.token_view_urls",
    },
    {
        "TYNTEC2FA_PROVIDER": LOCAL_PROVIDER,
        "TYNTEC2FA_ALLOW_LOCAL_PROVIDER": False,
        "MIDDLEWARE": [SESSION, GATE, AUTH],
    },
    {
        "DEBUG": True,
        "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    },
]


@pytest.fixture(scope="module")
def every_message(django_db_setup: None, django_db_blocker: Any) -> list[Any]:
    with django_db_blocker.unblock():
        found = [message for changes in EVERYTHING_WRONG for message in app_checks(**changes)]
        # The database checks: DRF's authtoken not migrated (W036), rolled back.
        # The table may not exist yet when this module runs alone (the test settings
        # create the app's tables without their migrations).
        MigrationRecorder(connection).ensure_schema()
        with transaction.atomic():
            MigrationRecorder.Migration.objects.filter(app="authtoken").delete()
            found += app_checks(databases=["default"])
            transaction.set_rollback(True)
        return found


def ids_in(paths: list[Path], pattern: re.Pattern[str] = CHECK_ID) -> set[str]:
    return {found for path in paths for found in pattern.findall(path.read_text("utf-8"))}


def documented_ids() -> set[str]:
    """The ids of the "System checks" table of docs/settings.md, one row each."""
    text = SETTINGS_DOC.read_text("utf-8").split("## System checks", 1)[1]
    table = text.split("\n### ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| `django_tyntec2fa.")]
    found = [CHECK_ID.search(row).group(1) for row in rows]  # type: ignore[union-attr]
    assert len(found) == len(set(found)), "an id has two rows"
    return set(found)


def test_every_id_in_the_code_is_reachable(every_message: list[Any]) -> None:
    reported = {message.id.split(".", 1)[1] for message in every_message}
    assert reported == ids_in(CHECK_MODULES)


def test_docs_list_exactly_the_ids_of_the_code() -> None:
    assert documented_ids() == ids_in(CHECK_MODULES)


def test_an_error_and_a_warning_never_share_a_number() -> None:
    found = ids_in(CHECK_MODULES)
    errors = {check_id[1:] for check_id in found if check_id.startswith("E")}
    warnings = {check_id[1:] for check_id in found if check_id.startswith("W")}
    assert errors.isdisjoint(warnings)


def test_every_id_has_a_test_named_after_it() -> None:
    """``test_<what>_<id>``, in the check test files."""
    names = {
        node.name
        for path in CHECK_TESTS
        for node in ast.parse(path.read_text("utf-8")).body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }
    untested = [
        check_id
        for check_id in sorted(ids_in(CHECK_MODULES))
        if not any(re.search(rf"_{check_id.lower()}(_|$)", name) for name in names)
    ]
    assert untested == []


def test_every_message_has_a_hint(every_message: list[Any]) -> None:
    assert all(message.hint for message in every_message)


def test_errors_never_offer_to_silence_themselves(every_message: list[Any]) -> None:
    errors = [message for message in every_message if isinstance(message, Error)]
    warnings = [message for message in every_message if isinstance(message, Warning)]
    assert errors and warnings
    assert not [m.id for m in errors if re.search("silenc", m.hint, re.IGNORECASE)]


def test_messages_explain_in_words_not_requirement_ids(every_message: list[Any]) -> None:
    cited = [
        (message.id, REQUIREMENT_ID.findall(f"{message.msg} {message.hint}"))
        for message in every_message
    ]
    assert [(check_id, found) for check_id, found in cited if found] == []
