"""The view tests' site, browser client and users with phones, for the HTML pages."""

from __future__ import annotations

from ...people import make_user  # noqa: F401  (fixture; overrides tests/abuse's make_user)
from ...views.conftest import _site, client  # noqa: F401  (fixtures)
