"""The view tests' site, browser client and users with phones, for the HTML pages."""

from __future__ import annotations

from ...views.conftest import _site, client, make_user  # noqa: F401  (fixtures)
