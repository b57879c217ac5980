"""One login pipeline (issue 22, Deliver 2): ``flows.login.decide`` decides once per
password login what the login owes (nothing, a trusted browser, a code, a phone first),
whichever door the password came through (the app's ``LoginView``, Django's
``LoginView`` through the ``user_logged_in`` receiver, the API), and no request
attribute carries that decision from ``flows/login.py`` to ``receivers.py``."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from django_tyntec2fa.core import session
from django_tyntec2fa.flows import login as login_flow

from .helpers import ALICE_PHONE, LOGIN, LOGIN_2FA, PASSWORD, make_user

PACKAGE = Path(login_flow.__file__).resolve().parent.parent
PIPELINE = [PACKAGE / "flows" / "login.py", PACKAGE / "gate" / "receivers.py"]


@pytest.fixture
def decisions(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(username, what was owed) for each call of ``decide``."""
    seen: list[tuple[str, str]] = []
    original = login_flow.decide

    def counted(request: Any, user: Any, **kwargs: Any) -> Any:
        owed, devices = original(request, user, **kwargs)
        seen.append((user.get_username(), str(owed)))
        return owed, devices

    monkeypatch.setattr(login_flow, "decide", counted)
    return seen


def post_password(client: Client, path: str, user: Any) -> Any:
    return client.post(path, {"username": user.get_username(), "password": PASSWORD})


@pytest.mark.parametrize("path", [LOGIN_2FA, LOGIN])
@pytest.mark.parametrize(("phone", "owed"), [(ALICE_PHONE, "code"), (None, "nothing")])
def test_one_decision_per_password_login_whatever_the_view(
    path: str, phone: str | None, owed: str, decisions: list[tuple[str, str]], db: None
) -> None:
    user = make_user("pipeline", phone)
    client = Client()
    assert post_password(client, path, user).status_code == 302
    assert decisions == [("pipeline", owed)]
    # The decision holds: the session is pending (a code) or signed in (nothing).
    assert (session.PENDING_KEY in client.session) == (owed == "code")
    assert session.DECISION_KEY not in client.session  # taken by the login, once


def test_one_decision_for_the_api_password_step(
    decisions: list[tuple[str, str]], db: None, settings: Any
) -> None:
    settings.ROOT_URLCONF = "tests.api.urls"
    user = make_user("pipeline", ALICE_PHONE)
    response = Client().post(
        "/api/login/",
        {"username": "pipeline", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.json()["status"] == "second_factor_required"
    assert decisions == [(user.get_username(), "code")]


def test_a_decision_kept_for_another_user_is_not_taken(db: None) -> None:
    """The kept decision is bound to its user (and password): another user's login in
    the same session decides for itself."""
    carol = make_user("carol")
    dave = make_user("dave", ALICE_PHONE)
    client = Client()
    request: Any = type("Request", (), {"session": client.session})()
    session.record_decision(request, carol, "nothing")
    assert session.take_decision(request, dave) is None
    session.record_decision(request, carol, "nothing")
    assert session.take_decision(request, carol) == "nothing"
    assert session.take_decision(request, carol) is None  # once


def test_no_request_attribute_carries_a_decision_between_flows_and_the_receiver() -> None:
    """Issue 22: ``request._tyntec2fa_*`` attributes were side channels; the decision
    now travels in the session, bound to its user (``session.record_decision``)."""
    found = []
    for path in PIPELINE:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in {"setattr"}:
                found.append(f"{path.name}:{node.lineno}")
            if isinstance(node, ast.Attribute) and node.attr in {
                "NOT_REQUIRED_ATTR",
                "TRUSTED_ATTR",
            }:
                found.append(f"{path.name}:{node.lineno} {node.attr}")
    assert found == []
