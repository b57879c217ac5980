"""Security notices by email (flows/notices.py): one for each event, in the language of
the request that caused it, never with a code or a full number (G4), only after the
transaction commits, and never failing the flow that caused it (E2, E3, E4, E7)."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction
from django.template.loader import get_template
from django.utils import translation

from django_tyntec2fa import flows, signals
from django_tyntec2fa.exceptions import AccountLocked, InvalidCode, TooManyAttempts
from django_tyntec2fa.flows import notices
from django_tyntec2fa.models import Challenge, TrustedBrowser

from ..steps import use_mail_backend, wrong_code
from .conftest import NUMBER, OTHER_NUMBER, add_device

pytestmark = pytest.mark.django_db

ADDRESS = "alice@example.com"
LOGIN = Challenge.Purpose.LOGIN
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
#: What notices.py records when a notice could not be sent.
NOT_SENT = "not sent"


@pytest.fixture
def member(db: None) -> Any:
    """Alice with an email address (the flow tests' ``user`` has none)."""
    return get_user_model().objects.create_user("alice", ADDRESS, password="pw-for-tests")


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """``with committed():`` runs the on-commit callbacks of the block at its end, as a
    real commit would (the test itself runs in a transaction that is rolled back)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def text_of(message: mail.EmailMessage) -> str:
    """Subject, body and every alternative of a sent message."""
    parts = [message.subject, message.body]
    parts += [content for content, _type in getattr(message, "alternatives", [])]
    return "\n".join(str(part) for part in parts)


def assert_nothing_secret(message: mail.EmailMessage, *secrets: str) -> None:
    """G4: none of the codes and no full number in the mail."""
    text = text_of(message)
    for secret in (*secrets, NUMBER, OTHER_NUMBER):
        assert secret not in text


def enroll_and_confirm(request: Any, user: Any, last_code: Callable[..., str]) -> str:
    """Add OTHER_NUMBER through the flows; returns the code that confirmed it."""
    flows.enroll(request, user, number=OTHER_NUMBER)
    code = last_code()
    with pytest.raises(InvalidCode):
        flows.confirm(request, user, code=wrong_code(code))
    flows.confirm(request, user, code=code)
    return code


# --- Each event, in English ---------------------------------------------------------------


def test_a_phone_added_is_told_by_email_e2(
    member, make_request, last_code, django_capture_on_commit_callbacks
) -> None:
    """E2: binding a new phone notifies the account's email, with the number masked and
    neither the code that confirmed it nor a wrong one in the mail."""
    request = make_request(member, verified=True, ip="203.0.113.9")
    request.META["HTTP_USER_AGENT"] = FIREFOX
    add_device(member)
    with time_machine.travel(T0, tick=False):
        flows.enroll(request, member, number=OTHER_NUMBER)
        code = last_code()
        with pytest.raises(InvalidCode):
            flows.confirm(request, member, code=wrong_code(code))
        assert mail.outbox == []  # a wrong code adds nothing
        with django_capture_on_commit_callbacks(execute=True):
            flows.confirm(request, member, code=code)
            assert mail.outbox == []  # not before the commit
    [message] = mail.outbox
    assert message.to == [ADDRESS]
    assert message.subject == "A phone was added to your account"
    assert "+49*******5432" in message.body
    assert "March 2, 2026, 9 a.m. UTC" in message.body
    assert "203.0.113.9" in message.body and "Firefox (Linux)" in message.body
    assert_nothing_secret(message, code, wrong_code(code))


def test_a_phone_removed_is_told_by_email_e3(member, make_request, committed) -> None:
    """E3: removing a confirmed phone notifies; an unconfirmed number is no news."""
    add_device(member)
    other = add_device(member, OTHER_NUMBER, is_primary=False)
    pending = add_device(member, "+4917612345678", is_primary=False, confirmed=False)
    request = make_request(member, verified=True)
    with committed():
        flows.remove(request, member, pending.pk)
    assert mail.outbox == []
    with committed():
        flows.remove(request, member, other.pk)
    [message] = mail.outbox
    assert message.subject == "A phone was removed from your account"
    assert "+49*******5432" in message.body
    assert_nothing_secret(message, "+4917612345678")


def test_an_operator_removing_a_phone_is_told_too_e3(member, make_request, committed) -> None:
    """E3: the support desk's removal is the same removal, so the user hears of it."""
    device = add_device(member)
    with committed():
        flows.support.remove_device(make_request(), device)
    [message] = mail.outbox
    assert message.subject == "A phone was removed from your account"
    assert "+49*******6789" in message.body
    assert_nothing_secret(message)


def send(signal: Any, user: Any, request: Any = None, **data: Any) -> None:
    signal.send(sender=type(user), request=request, user=user, **data)


def test_new_recovery_codes_are_told_by_email_e4(member, make_request, committed) -> None:
    """E4: a new set is told with its size, never its codes."""
    with committed():
        send(signals.recovery_codes_generated, member, make_request(member), count=10)
    [message] = mail.outbox
    assert message.subject == "New recovery codes were made for your account"
    assert "A new set of 10 recovery codes" in message.body


@pytest.mark.parametrize(
    ("remaining", "told"),
    [
        (3, "3 recovery codes are left."),
        (1, "1 recovery code is left."),
        (0, "No recovery codes are left: make a new set on your phones page."),
    ],
)
def test_a_recovery_code_used_is_told_with_how_many_are_left_e4(
    member, make_request, committed, remaining: int, told: str
) -> None:
    """E4: recovery notifies the user, and says how many codes are left."""
    with committed():
        send(signals.recovery_code_used, member, make_request(member), remaining=remaining)
    [message] = mail.outbox
    assert message.subject == "A recovery code was used to sign in to your account"
    assert told in message.body


def trusted_browser(user: Any) -> TrustedBrowser:
    return TrustedBrowser.objects.create(
        user=user,
        secret_digest="0" * 64,
        auth_digest="1" * 64,
        description="Firefox (Linux)",
        expires_at=T0 + dt.timedelta(days=30),
    )


def test_a_trusted_browser_is_told_by_email(member, make_request, committed) -> None:
    """A browser that skips the code is a way in without the phone: the user hears of
    it, with the browser's name and when the trust ends."""
    request = make_request(member)
    with committed():
        send(signals.browser_trusted, member, request, browser=trusted_browser(member))
    [message] = mail.outbox
    assert message.subject == "A browser can now sign in to your account without a code"
    assert "Firefox (Linux)" in message.body and "April 1, 2026" in message.body


@pytest.fixture
def ladder(settings: Any) -> Any:
    """Waits from the 3rd wrong code, the lock at the 6th."""
    settings.TYNTEC2FA_BACKOFF_AFTER = 3
    settings.TYNTEC2FA_BACKOFF_BASE = 30
    settings.TYNTEC2FA_BACKOFF_MAX = 100
    settings.TYNTEC2FA_LOCKOUT_THRESHOLD = 6
    return settings


def test_wrong_codes_are_told_once_then_the_lock_e7(
    member, ladder, make_request, last_code, committed
) -> None:
    """E7: wrong codes after a right password notify the user with the time, the IP and
    the browser: once when the waits begin (not at each further wait), once at the
    lock. No code, right or wrong, is in a mail."""
    add_device(member)
    codes: list[str] = []
    moment = T0
    for _attempt in range(6):
        with time_machine.travel(moment, tick=False):
            request = make_request(ip="198.51.100.23")
            request.META["HTTP_USER_AGENT"] = FIREFOX
            if flows.live_challenge(member, LOGIN) is None:
                flows.start(request, member, purpose=LOGIN)
            codes += [last_code(), wrong_code(last_code())]
            with committed(), pytest.raises((InvalidCode, TooManyAttempts, AccountLocked)):
                flows.verify(request, member, purpose=LOGIN, code=codes[-1])
        moment += dt.timedelta(seconds=101)  # past every wait
    subjects = [message.subject for message in mail.outbox]
    assert subjects == [
        "Wrong sign-in codes were entered for your account",
        "Signing in to your account is locked",
    ]
    waits, lock = mail.outbox
    assert "3 wrong sign-in codes in a row" in waits.body
    assert "6 wrong sign-in codes in a row" in lock.body and "support unlocks" in lock.body
    for message in mail.outbox:
        assert "198.51.100.23" in message.body and "Firefox (Linux)" in message.body
        assert_nothing_secret(message, *codes)


# --- The user's language -------------------------------------------------------------------

EVENTS: list[tuple[str, dict[str, Any], dict[str, str]]] = [
    (
        "device_added",
        {"device": "confirmed"},
        {"de": "Ein Telefon wurde Ihrem Konto hinzugefügt", "fr": "Un téléphone a été ajouté"},
    ),
    (
        "device_removed",
        {"device": "confirmed"},
        {"de": "Ein Telefon wurde aus Ihrem Konto entfernt", "fr": "Un téléphone a été retiré"},
    ),
    (
        "recovery_codes_generated",
        {"count": 10},
        {"de": "Neue Wiederherstellungscodes", "fr": "Nouveaux codes de récupération"},
    ),
    (
        "recovery_code_used",
        {"remaining": 2},
        {"de": "Wiederherstellungscode", "fr": "code de récupération"},
    ),
    ("browser_trusted", {"browser": "trusted"}, {"de": "Browser", "fr": "navigateur"}),
    (
        "account_locked",
        {"failures": 20, "until": None},
        {"de": "gesperrt", "fr": "bloquée"},
    ),
]


def signal_data(member: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The signal's arguments, with real model instances where the event has one."""
    data = dict(data)
    if data.get("device") == "confirmed":
        first = not member.tyntec2fa_devices.exists()
        data["device"] = add_device(member, NUMBER if first else OTHER_NUMBER, is_primary=first)
    if data.get("browser") == "trusted":
        data["browser"] = trusted_browser(member)
    return data


@pytest.mark.parametrize("language", ["de", "fr"])
@pytest.mark.parametrize(("event", "data", "subjects"), EVENTS, ids=[e[0] for e in EVENTS])
def test_every_notice_speaks_the_language_of_the_request(
    member, make_request, committed, event: str, data: dict[str, Any], subjects, language
) -> None:
    """The language active when the event happened (a German user's request) is the
    mail's, subject and body; the English text is not in it."""
    with committed(), translation.override("en"):
        send(getattr(signals, event), member, make_request(member), **signal_data(member, data))
    english = mail.outbox.pop()
    with committed(), translation.override(language):
        send(getattr(signals, event), member, make_request(member), **signal_data(member, data))
    [message] = mail.outbox
    assert subjects[language] in message.subject
    assert english.subject not in message.subject
    assert "Hello," not in message.body and "When:" not in message.body
    assert_nothing_secret(message)


def test_a_german_date_and_time_in_the_german_mail(member, make_request, committed) -> None:
    with committed(), time_machine.travel(T0, tick=False), translation.override("de"):
        send(signals.recovery_codes_generated, member, make_request(member), count=10)
    assert "2. März 2026 09:00 UTC" in mail.outbox[0].body


# --- TYNTEC2FA_NOTIFY ------------------------------------------------------------------------


def test_notify_false_sends_nothing(member, make_request, committed, settings) -> None:
    settings.TYNTEC2FA_NOTIFY = False
    add_device(member)
    request = make_request(member, verified=True)
    with committed():
        send(signals.recovery_codes_generated, member, request, count=10)
        send(signals.account_locked, member, request, failures=20, until=None)
        flows.remove(request, member, member.tyntec2fa_devices.get().pk)
    assert mail.outbox == []


#: What ``collect`` received, for the import-path variant of the test below.
COLLECTED: list[tuple[str, Any, dict[str, Any]]] = []


def collect(event: str, user: Any, context: dict[str, Any]) -> None:
    """A sender of a project's own: records what it was given, and the language."""
    COLLECTED.append((event, user, {**context, "active": translation.get_language()}))


@pytest.mark.parametrize("value", [collect, "tests.flows.test_notices.collect"])
def test_a_callable_replaces_the_sender(
    member, make_request, committed, settings, value: Any
) -> None:
    """A callable (or its import path) gets the event, the user and the context,
    after the commit, in the request's language; no mail goes out."""
    settings.TYNTEC2FA_NOTIFY = value
    COLLECTED.clear()
    device = add_device(member)
    request = make_request(member, verified=True, ip="203.0.113.5")
    with committed(), translation.override("fr"):
        flows.remove(request, member, device.pk)
    assert mail.outbox == []
    [(event, user, context)] = COLLECTED
    assert (event, user) == ("device_removed", member)
    assert context["number"] == "+49*******6789" and context["ip"] == "203.0.113.5"
    assert context["language"] == context["active"] == "fr"
    assert NUMBER not in repr(context)


# --- After the commit, and never failing the flow --------------------------------------------


def test_no_notice_when_the_transaction_rolls_back(
    member, make_request, last_code, django_capture_on_commit_callbacks
) -> None:
    """A change that is rolled back never happened: no mail tells of it."""
    request = make_request(member, verified=True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            enroll_and_confirm(request, member, last_code)
            send(signals.recovery_codes_generated, member, request, count=10)
            raise RuntimeError("rolled back")
    assert callbacks == [] and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        send(signals.recovery_codes_generated, member, request, count=10)
    assert len(callbacks) == 1 and len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_sent_at_the_real_commit_not_before(member, make_request, last_code) -> None:
    """Without the test's own transaction: inside an atomic block the mail waits for its
    commit; a rolled-back block sends nothing; outside a block it goes at once."""
    request = make_request(member, verified=True)
    with pytest.raises(RuntimeError), transaction.atomic():
        send(signals.recovery_codes_generated, member, request, count=10)
        raise RuntimeError("rolled back")
    assert mail.outbox == []
    with transaction.atomic():
        send(signals.recovery_codes_generated, member, request, count=10)
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    enroll_and_confirm(request, member, last_code)
    assert mail.outbox[-1].subject == "A phone was added to your account"


class BrokenBackend:
    """An email backend whose server is down."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        raise ConnectionRefusedError("mail server down")


class RefusingBackend(BrokenBackend):
    """A mail server that refuses the recipient, naming the address as smtplib does."""

    def send_messages(self, messages: Any) -> int:
        to = messages[0].to[0]
        raise smtplib.SMTPRecipientsRefused({to: (550, f"<{to}> unknown".encode())})


def test_a_refused_address_is_not_logged(
    member, make_request, last_code, committed, settings, caplog
) -> None:
    """One line per failure, without a traceback: an SMTP error carries the user's
    address, which is theirs, not the log's."""
    use_mail_backend(settings, "tests.flows.test_notices.RefusingBackend")
    request = make_request(member, verified=True)
    with caplog.at_level(logging.DEBUG, logger="django_tyntec2fa.notices"), committed():
        enroll_and_confirm(request, member, last_code)
    [record] = [r for r in caplog.records if r.name == "django_tyntec2fa.notices"]
    assert "SMTPRecipientsRefused" in record.getMessage() and record.exc_info is None
    assert member.email and member.email not in caplog.text


def test_a_failing_mail_server_is_logged_and_the_flow_succeeds(
    member, make_request, last_code, committed, settings, caplog
) -> None:
    """The phone is added even though its notice cannot be sent; the log says so, with
    the event and the user's id, and without the code or the number."""
    use_mail_backend(settings, "tests.flows.test_notices.BrokenBackend")
    request = make_request(member, verified=True)
    with caplog.at_level(logging.DEBUG, logger="django_tyntec2fa.notices"), committed():
        code = enroll_and_confirm(request, member, last_code)
    assert member.tyntec2fa_devices.get(number=OTHER_NUMBER).confirmed
    [record] = [r for r in caplog.records if r.name == "django_tyntec2fa.notices"]
    assert record.levelno == logging.ERROR and NOT_SENT in record.getMessage()
    assert f"device_added for user {member.pk}" in record.getMessage()
    logged = caplog.text
    assert code not in logged and OTHER_NUMBER not in logged


def test_a_receiver_never_raises(member, make_request, committed, caplog) -> None:
    """Receivers run inside the flow: even arguments no flow sends are only logged."""
    with caplog.at_level(logging.ERROR, logger="django_tyntec2fa.notices"), committed():
        send(signals.device_added, member, make_request(member), device=None)
        send(signals.recovery_code_used, member, None)
    assert mail.outbox == []
    assert len([r for r in caplog.records if "not scheduled" in r.getMessage()]) == 2


def test_a_user_without_an_address_is_skipped_quietly(
    make_request, committed, caplog, user
) -> None:
    """No address, no mail, no error: logged at DEBUG only."""
    with caplog.at_level(logging.DEBUG, logger="django_tyntec2fa.notices"), committed():
        send(signals.recovery_codes_generated, user, make_request(user), count=10)
    assert mail.outbox == []
    assert [r.levelno for r in caplog.records if r.name == "django_tyntec2fa.notices"] == [
        logging.DEBUG
    ]


def test_no_request_no_ip_or_browser(member, committed) -> None:
    """A flow run outside a request (a management command) still notifies."""
    with committed(), time_machine.travel(T0, tick=False):
        send(signals.recovery_codes_generated, member, None, count=10)
    [message] = mail.outbox
    assert "IP address:" not in message.body and "Browser:" not in message.body
    assert "When:" in message.body


def test_a_project_template_adds_the_html_part(
    member, make_request, committed, settings, tmp_path
) -> None:
    """Templates are the project's to override; an HTML body, when the project has one,
    goes as the HTML alternative of the plain text."""
    folder = tmp_path / "django_tyntec2fa" / "email"
    folder.mkdir(parents=True)
    (folder / "recovery_codes_generated_body.html").write_text(
        "<p>{{ count }} new codes at {{ time|date:'Y-m-d' }}</p>", "utf-8"
    )
    (folder / "recovery_codes_generated_subject.txt").write_text("Our own subject", "utf-8")
    templates = [dict(settings.TEMPLATES[0], DIRS=[str(tmp_path)])]
    settings.TEMPLATES = templates
    with committed(), time_machine.travel(T0, tick=False):
        send(signals.recovery_codes_generated, member, make_request(member), count=10)
    [message] = mail.outbox
    assert message.subject == "Our own subject"
    assert message.alternatives[0][0] == "<p>10 new codes at 2026-03-02</p>"
    assert "A new set of 10 recovery codes" in message.body


def test_every_event_is_connected_and_has_its_templates() -> None:
    """The six events of the issue, each connected to its signal, each with a subject
    and a body template the project can override."""
    assert set(notices.EVENTS) == {
        "device_added",
        "device_removed",
        "recovery_codes_generated",
        "recovery_code_used",
        "browser_trusted",
        "account_locked",
    }
    for event in notices.EVENTS:
        assert getattr(signals, event).has_listeners()
        for part in ("subject", "body"):
            get_template(f"django_tyntec2fa/email/{event}_{part}.txt")


# --- Through the recovery, trust and support flows ---------------------------------------


def test_generating_and_using_recovery_codes_through_the_flows_e4(
    member, make_request, committed
) -> None:
    """E4: the set's notice and the use's notice, with how many are left; none of the
    codes, in any spelling, is in a mail."""
    add_device(member)
    request = make_request(member, verified=True)
    with committed():
        generated = flows.recovery.generate(request, member)
    with committed():
        left = flows.recovery.redeem(make_request(), member, generated.codes[0].upper())
    assert left == 9
    made, used = mail.outbox
    assert "A new set of 10 recovery codes" in made.body
    assert used.subject == "A recovery code was used to sign in to your account"
    assert "9 recovery codes are left." in used.body
    spellings = [c for code in generated.codes for c in (code, code.replace("-", ""))]
    for message in mail.outbox:
        assert_nothing_secret(message, *spellings)
        assert not any(s.upper() in text_of(message) for s in spellings)


def test_trusting_a_browser_through_the_flow(member, make_request, committed, settings) -> None:
    settings.TYNTEC2FA_TRUST_BROWSER_DAYS = 30
    request = make_request(member, verified=True)
    request.META["HTTP_USER_AGENT"] = FIREFOX
    with committed(), time_machine.travel(T0, tick=False):
        browser = flows.trust.remember(request, member)
    assert browser is not None
    [message] = mail.outbox
    assert message.subject == "A browser can now sign in to your account without a code"
    assert "Firefox (Linux)" in message.body and "April 1, 2026" in message.body


def test_disabling_the_second_factor_tells_the_user_e3(member, make_request, committed) -> None:
    """E3: the support desk turning the factor off removes every phone; the user hears
    of each confirmed one."""
    add_device(member)
    add_device(member, OTHER_NUMBER, is_primary=False)
    with committed():
        flows.support.disable(make_request(), member)
    assert [m.subject for m in mail.outbox] == ["A phone was removed from your account"] * 2
    assert {"+49*******6789", "+49*******5432"} == {
        number
        for m in mail.outbox
        for number in ("+49*******6789", "+49*******5432")
        if number in m.body
    }
    for message in mail.outbox:
        assert_nothing_secret(message)
