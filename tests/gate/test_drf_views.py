"""A project's own DRF views behind the gate (issue 23.19): a pending login gets the
JSON 401 ``second_factor_required`` whatever its ``Accept`` (requests, curl and fetch
send ``*/*``), never the 302 to the HTML challenge that only a browser can follow."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from django.test import Client

from django_tyntec2fa.gate.middleware import is_drf_view

from ..steps import PasswordLogin
from .urls_drf import Items, ItemViewSet, items_function

DRF_PAGES = ["/drf/apiview/", "/drf/function/", "/drf/viewset/"]


@pytest.fixture(autouse=True)
def drf_urls(settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.gate.urls_drf"


@pytest.mark.parametrize("path", DRF_PAGES)
@pytest.mark.parametrize("accept", ["*/*", "", "text/html,application/xhtml+xml"])
def test_a_pending_login_gets_401_json_from_a_drf_view(
    client: Client, alice: Any, password_login: PasswordLogin, path: str, accept: str
) -> None:
    password_login(client, alice)
    response = client.get(path, HTTP_ACCEPT=accept)
    assert response.status_code == 401
    assert response.json() == {
        "code": "second_factor_required",
        "detail": "A second factor is required.",
    }
    assert response["WWW-Authenticate"] == 'SecondFactor realm="session"'
    assert "no-store" in response["Cache-Control"]


def test_a_drf_post_gets_401_json_too(
    client: Client, alice: Any, password_login: PasswordLogin
) -> None:
    password_login(client, alice)
    response = client.post("/drf/function/", HTTP_ACCEPT="text/html")
    assert response.status_code == 401
    assert response.json()["code"] == "second_factor_required"


def test_a_plain_django_page_still_redirects_a_browser(
    client: Client, alice: Any, password_login: PasswordLogin
) -> None:
    password_login(client, alice)
    response = client.get("/whoami/", HTTP_ACCEPT="*/*")
    assert response.status_code == 302
    assert response["Location"] == "/2fa/challenge/?next=/whoami/"


def test_drf_views_are_recognised_by_their_class() -> None:
    assert is_drf_view(Items.as_view())
    assert is_drf_view(items_function)
    assert is_drf_view(ItemViewSet.as_view({"get": "list"}))
    assert not is_drf_view(lambda request: None)


def test_without_drf_loaded_no_view_is_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """The gate never imports DRF: without ``rest_framework.views`` loaded, no view can
    be a DRF view."""
    monkeypatch.delitem(sys.modules, "rest_framework.views")
    assert not is_drf_view(Items.as_view())
    assert "rest_framework.views" not in sys.modules
