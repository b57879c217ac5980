"""S6(d): every class in DRF's DEFAULT_AUTHENTICATION_CLASSES of the test project and
of the example project is known to enforce the second factor; a class this test does
not know fails it."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils.module_loading import import_string
from rest_framework.authentication import SessionAuthentication

from django_tyntec2fa.api.authentication import SecondFactorTokenAuthentication

EXAMPLE = Path(__file__).resolve().parents[2] / "example_project"
#: The classes known to be gated, and why.
KNOWN_GATED: dict[type, str] = {
    SessionAuthentication: "a pending login holds no login in the session (S1); the gate "
    "middleware turns a session without the proof into a pending login",
    SecondFactorTokenAuthentication: "accepts only tokens minted after the second factor",
}


def _example_settings() -> Any:
    """The example project's settings module, imported without setting it up."""
    sys.path.insert(0, str(EXAMPLE))
    try:
        return importlib.import_module("example.settings")
    finally:
        sys.path.remove(str(EXAMPLE))
        for name in [name for name in sys.modules if name.split(".")[0] == "example"]:
            del sys.modules[name]


@pytest.mark.parametrize("project", ["tests", "example"])
def test_every_default_authentication_class_is_known_to_be_gated_s6(project: str) -> None:
    config = settings if project == "tests" else _example_settings()
    classes = config.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]
    assert classes, "no authentication classes configured"
    for path in classes:
        found = import_string(path)
        assert any(issubclass(found, known) for known in KNOWN_GATED), (
            f"{path} is not known to enforce the second factor (S6)"
        )
