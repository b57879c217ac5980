"""One served example project for the black-box tests (started once, stopped at the
end), with the fake's state and the rate-limit counters reset before every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .harness import BlackBoxSite, serve


@pytest.fixture(scope="session")
def blackbox_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BlackBoxSite]:
    """Fake tyntec, a fresh PostgreSQL database and gunicorn with four workers."""
    with serve(tmp_path_factory.mktemp("blackbox")) as running:
        yield running


@pytest.fixture
def site(blackbox_site: BlackBoxSite) -> BlackBoxSite:
    """The site, with a fresh fake account and no rate-limit counters."""
    blackbox_site.reset()
    return blackbox_site
