"""The HTML 404s of the app's views carry ``Cache-Control`` like every other answer
(issue 15, S7): another user's phone and an unknown one on the phone pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from django_tyntec2fa.models import PhoneDevice

from ..steps import AssertNeverCached


@pytest.mark.parametrize("action", ["primary", "remove"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_phone_that_is_not_yours_is_a_404_never_cached_s7(
    verified: Client, bob: Any, assert_never_cached: AssertNeverCached, action: str, method: str
) -> None:
    bobs = PhoneDevice.objects.filter(user=bob).first()
    for pk in (bobs.pk, 999_999):
        response = getattr(verified, method)(f"/2fa/devices/{pk}/{action}/")
        if response.status_code == 405:
            continue  # this page takes no GET
        assert response.status_code == 404, (pk, response.status_code)
        assert_never_cached(response)
