"""L6: strict normalisation of the typed code; unusable input never reaches the provider."""

from __future__ import annotations

from typing import Any

import pytest

from django_tyntec2fa import flows
from django_tyntec2fa.exceptions import InvalidCode
from django_tyntec2fa.flows.codes import normalize_code
from django_tyntec2fa.models import Challenge, FailureCounter
from django_tyntec2fa.providers import local

from .helpers import count_calls

CODE = "123456"
LOGIN = Challenge.Purpose.LOGIN

ACCEPTED = [" 123456", "123-456", "123456", "12 34 56\t", "\n123456\r"]
REFUSED = [
    "１２３４５６",  # fullwidth digits
    "١٢٣٤٥٦",  # Arabic-Indic digits
    "+123456",
    "12_3456",
    "1234567",
    "12345",
    "0123456",  # a leading-zero variant of another length
    "-" * 59 + CODE,  # 65 characters: refused before normalising, though it would match
    "",
    "12345a",
    "123.456",
]


@pytest.mark.parametrize("raw", ACCEPTED)
def test_normalize_accepts_ascii_digits_with_spaces_and_dashes_l6(raw: str) -> None:
    assert normalize_code(raw, 6) == CODE


@pytest.mark.parametrize("raw", REFUSED)
def test_normalize_refuses_everything_else_l6(raw: str) -> None:
    assert normalize_code(raw, 6) is None


@pytest.mark.parametrize("raw", [None, 123456, b"123456"])
def test_normalize_refuses_non_strings_l6(raw: Any) -> None:
    assert normalize_code(raw, 6) is None


def test_length_limit_is_64_characters_l6() -> None:
    assert normalize_code(" " * 58 + CODE, 6) == CODE  # 64 characters
    assert normalize_code(" " * 59 + CODE, 6) is None  # 65 characters


@pytest.fixture
def pinned_code(monkeypatch: pytest.MonkeyPatch) -> str:
    """The local provider sends CODE, so the table can use fixed inputs."""
    monkeypatch.setattr(local, "generate_code", lambda length: CODE)
    return CODE


@pytest.mark.django_db
@pytest.mark.parametrize("raw", [" 123456", "123-456"])
def test_verify_accepts_the_normalised_code_l6(
    raw: str, pinned_code: str, user: Any, device: Any, make_request: Any
) -> None:
    request = make_request()
    flows.start(request, user, purpose=LOGIN)
    with count_calls("check") as checks:
        challenge = flows.verify(request, user, purpose=LOGIN, code=raw)
    assert challenge.status == Challenge.Status.VERIFIED
    assert checks.calls == 1


@pytest.mark.django_db
@pytest.mark.parametrize("raw", REFUSED[:7] + [REFUSED[7]])
def test_verify_refuses_invalid_input_without_calling_the_provider_l6(
    raw: str, pinned_code: str, user: Any, device: Any, make_request: Any
) -> None:
    """The table of the brief: InvalidCode, no provider call, but it counts as a
    failed attempt on the challenge and on the account."""
    request = make_request()
    challenge = flows.start(request, user, purpose=LOGIN)
    with count_calls("check") as checks, pytest.raises(InvalidCode):
        flows.verify(request, user, purpose=LOGIN, code=raw)
    assert checks.calls == 0
    challenge.refresh_from_db()
    assert (challenge.attempts, challenge.status) == (1, Challenge.Status.PENDING)
    assert FailureCounter.objects.get(user=user).failures == 1
    # The right code still works afterwards: nothing else was spent.
    assert flows.verify(request, user, purpose=LOGIN, code=CODE).pk == challenge.pk
