"""The OpenAPI schema of the example project: drf-spectacular validates it without a
warning, every operation has examples of its request and of every answer, refusals
included; and the API works without drf-spectacular (the optional extra ``schema``)."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from django_tyntec2fa.api import schema

from ..example_site import example_env, manage

ROOT = Path(__file__).resolve().parents[2]
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    directory = tmp_path_factory.mktemp("schema")
    target = directory / "schema.yaml"
    env = example_env(directory)
    manage("spectacular", "--validate", "--fail-on-warn", "--file", str(target), env=env)
    return dict(yaml.safe_load(target.read_text()))


def _operations(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in openapi["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_the_schema_covers_every_endpoint(openapi: dict[str, Any]) -> None:
    ids = {operation["operationId"] for _path, _method, operation in _operations(openapi)}
    assert ids == {
        "login_state",
        "login",
        "logout",
        "challenge_status",
        "challenge_send",
        "challenge_resend",
        "challenge_verify",
        "challenge_cancel",
        "devices",
        "device",
        "device_remove",
        "device_primary",
        "device_add",
        "device_confirm",
        "step_up_send",
        "step_up_verify",
        "recovery_codes",
        "recovery_codes_generate",
        "challenge_recover",
        "trusted_browsers",
        "trusted_browser_forget",
    }
    assert "/api/schema/" not in openapi["paths"]


def test_every_answer_and_every_request_body_has_examples(openapi: dict[str, Any]) -> None:
    missing = []
    for path, method, operation in _operations(openapi):
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None and not body.get("examples"):
            missing.append(f"{method.upper()} {path} request")
        for status, answer in operation["responses"].items():
            if status in ("default", "204"):
                continue
            content = answer.get("content", {}).get("application/json", {})
            if not content.get("examples"):
                missing.append(f"{method.upper()} {path} {status}")
        assert "401" in operation["responses"], (method, path)
        assert "default" in operation["responses"], (method, path)
    assert not missing, missing


def test_refusals_use_the_error_shape(openapi: dict[str, Any]) -> None:
    schemas = openapi["components"]["schemas"]
    assert schemas["Error"]["required"] == ["code", "detail"]
    for path, _method, operation in _operations(openapi):
        for status, answer in operation["responses"].items():
            if status.startswith(("4", "5")) or status == "default":
                ref = answer["content"]["application/json"]["schema"]["$ref"]
                if (path, status) == ("/api/login/", "503"):
                    # The error shape with the pending login's state (issue 12).
                    ref = ref.replace("LoginUnavailable", "Error")
                    assert {"code", "detail"} <= set(schemas["LoginUnavailable"]["required"])
                if (path, status) == ("/api/login/", "429"):
                    # The error shape with the wait always given (issue 23.4).
                    ref = ref.replace("LoginRefused", "Error")
                    assert {"code", "detail", "retry_after"} <= set(
                        schemas["LoginRefused"]["required"]
                    )
                assert ref == "#/components/schemas/Error"
                for example in answer["content"]["application/json"].get("examples", {}).values():
                    assert {"code", "detail"} <= set(example["value"])


def test_the_shim_is_inert_without_drf_spectacular(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "drf_spectacular.utils", None)
    try:
        fallback = importlib.reload(schema)
        assert fallback.AVAILABLE is False

        def view() -> None: ...

        assert fallback.extend_schema(operation_id="x", responses={200: None})(view) is view
        assert fallback.OpenApiParameter.HEADER == "header"
        fallback.OpenApiResponse(None, "text", [fallback.OpenApiExample("name", value={})])
    finally:
        monkeypatch.undo()
        assert importlib.reload(schema).AVAILABLE is True


WITHOUT_SPECTACULAR = """
import sys
sys.modules["drf_spectacular"] = None  # as if the extra "schema" were not installed
import django
django.setup()
from django.core.management import call_command
from django.test import Client, override_settings
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
from django_tyntec2fa.api import schema
from django_tyntec2fa.models import PhoneDevice
from django_tyntec2fa.providers import sinks
assert schema.AVAILABLE is False
user = get_user_model().objects.create_user("ann", password="pw-2fa-test")
PhoneDevice.objects.create(user=user, number="+4915123456789", confirmed=True, is_primary=True)
with override_settings(ROOT_URLCONF="tests.api.urls"):
    client = Client()
    login = client.post("/api/login/", {"username": "ann", "password": "pw-2fa-test"},
                        content_type="application/json")
    assert login.json()["status"] == "second_factor_required", login.content
    done = client.post("/api/challenge/verify/", {"code": sinks.outbox[-1].code},
                       content_type="application/json")
    assert done.json()["status"] == "authenticated", done.content
print("ok")
"""


def test_the_api_works_without_drf_spectacular() -> None:
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_SPECTACULAR],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")
