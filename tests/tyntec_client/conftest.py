"""Fixtures of the client tests: a scripted stub on 127.0.0.1 and a provider aimed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from django_tyntec2fa.providers.tyntec.client import TyntecProvider

from .bodies import API_KEY
from .stub import StubServer


@pytest.fixture
def stub() -> Iterator[StubServer]:
    server = StubServer().start()
    yield server
    server.stop()


@pytest.fixture
def provider(stub: StubServer) -> Iterator[TyntecProvider]:
    client = TyntecProvider(api_key=API_KEY, base_url=stub.url, timeout=(1.0, 1.0))
    yield client
    client.close()


@pytest.fixture
def sent(provider: TyntecProvider) -> list[requests.PreparedRequest]:
    """Every request the provider put on the wire (via a response hook)."""
    prepared: list[requests.PreparedRequest] = []

    def hook(response: requests.Response, *args: object, **kwargs: object) -> None:
        prepared.append(response.request)

    provider.session.hooks["response"].append(hook)
    return prepared
