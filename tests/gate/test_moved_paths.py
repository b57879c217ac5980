"""The documented import paths that moved (issue 22.4: ``gate/``, ``core/policy``) keep working
through 0.x, each with a ``DeprecationWarning`` that names the new path."""

from __future__ import annotations

import importlib
import warnings
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils.module_loading import import_string

import django_tyntec2fa
from django_tyntec2fa.gate import decorators, middleware, mixins

from ..steps import PasswordLogin
from ..system_checks import app_check_ids
from .helpers import GATE

OLD_GATE = "django_tyntec2fa.middleware.SecondFactorMiddleware"


@pytest.mark.parametrize(
    ("old", "name", "new"),
    [
        ("django_tyntec2fa.middleware", "SecondFactorMiddleware", middleware),
        ("django_tyntec2fa.decorators", "second_factor_required", decorators),
        ("django_tyntec2fa.decorators", "recent_second_factor", decorators),
        ("django_tyntec2fa.mixins", "SecondFactorRequiredMixin", mixins),
        ("django_tyntec2fa.mixins", "RecentSecondFactorMixin", mixins),
    ],
)
def test_an_old_path_warns_and_gives_the_same_object(old: str, name: str, new: Any) -> None:
    module = importlib.import_module(old)
    with pytest.warns(DeprecationWarning, match=rf"{old}\.{name} moved to {new.__name__}\.{name}"):
        found = getattr(module, name)
    assert found is getattr(new, name)


def test_from_import_of_an_old_path_warns() -> None:
    with pytest.warns(DeprecationWarning, match="django_tyntec2fa.gate.decorators"):
        from django_tyntec2fa.decorators import second_factor_required
    assert second_factor_required is decorators.second_factor_required


def test_a_name_the_new_module_lacks_is_an_attribute_error() -> None:
    module = importlib.import_module("django_tyntec2fa.middleware")
    with pytest.raises(AttributeError):
        module.NoSuchName  # noqa: B018


def test_tools_that_scan_the_modules_meet_no_warning() -> None:
    """inspect and hypothesis read ``__file__`` of every module in ``sys.modules``."""
    module = importlib.import_module("django_tyntec2fa.middleware")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert getattr(module, "__file__", None) is None
        assert not hasattr(module, "__wrapped__")


def test_no_file_stays_at_an_old_path() -> None:
    """git's rename detection follows a moved file only when its old path is gone."""
    folder = Path(django_tyntec2fa.__file__).parent
    for old in django_tyntec2fa.MOVED:
        stem = old.removeprefix("django_tyntec2fa.").replace(".", "/")
        assert not (folder / f"{stem}.py").exists(), old
        assert not (folder / stem / "__init__.py").exists(), old


def test_the_old_middleware_path_in_settings_still_gates(
    client: Client, settings: Any, alice: Any, password_login: PasswordLogin
) -> None:
    settings.MIDDLEWARE = [OLD_GATE if entry == GATE else entry for entry in settings.MIDDLEWARE]
    assert OLD_GATE in settings.MIDDLEWARE
    with pytest.warns(DeprecationWarning, match="django_tyntec2fa.gate.middleware"):
        password_login(client, alice)  # the client's handler loads MIDDLEWARE here
        response = client.get("/whoami/", HTTP_ACCEPT="text/html")
    assert response.status_code == 302
    assert response["Location"] == "/2fa/challenge/?next=/whoami/"


def test_the_checks_accept_the_old_middleware_path(settings: Any) -> None:
    middleware_list = [OLD_GATE if entry == GATE else entry for entry in settings.MIDDLEWARE]
    with pytest.warns(DeprecationWarning):
        assert app_check_ids(MIDDLEWARE=middleware_list) == []


@pytest.mark.parametrize("name", ["staff_required", "all_users"])
def test_the_old_policy_paths_in_settings_still_work(name: str) -> None:
    """``TYNTEC2FA_REQUIRED = "django_tyntec2fa.policy.staff_required"`` (the docs'
    value before ``core/``) passes the checks and names the same function, with a
    warning."""
    from django_tyntec2fa.core import policy

    with pytest.warns(DeprecationWarning, match=rf"django_tyntec2fa\.core\.policy\.{name}"):
        assert app_check_ids(TYNTEC2FA_REQUIRED=f"django_tyntec2fa.policy.{name}") == []
    with pytest.warns(DeprecationWarning):
        assert import_string(f"django_tyntec2fa.policy.{name}") is getattr(policy, name)
