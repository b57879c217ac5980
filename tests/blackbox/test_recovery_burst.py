"""E4 and L4 black-box for recovery codes: K concurrent POSTs of one recovery code in
one pending session, against gunicorn with four workers on PostgreSQL: exactly one
completes the login, the code is used once, the count goes down by one.

Run with ``BLACKBOX_REDIS_URL=redis://127.0.0.1:6379/<db>
.venv/bin/python -m pytest --ds=tests.settings_postgres tests/blackbox -k recovery``.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter

import pytest

from .browser import Browser, burst
from .harness import BlackBoxSite
from .test_burst import NEXT, PASSWORD, protected_status, seed_one

pytestmark = pytest.mark.postgres

K = 20
GENERATE = """
import json, os
from unittest import mock
from django.contrib.auth import get_user_model
from django_tyntec2fa.flows import recovery
user = get_user_model().objects.get(username=os.environ["BLACKBOX_USER"])
with mock.patch("django_tyntec2fa.flows.sensitive.recent_for", return_value=True):
    print(json.dumps(recovery.generate(None, user).codes))
"""


def test_k_concurrent_uses_of_one_recovery_code_sign_in_once_e4_l4(site: BlackBoxSite) -> None:
    user_id = seed_one(site, "burst-recovery", "+4915123450006")
    out = site.manage("shell", "-c", GENERATE, extra_env={"BLACKBOX_USER": "burst-recovery"})
    codes = json.loads(out.strip().splitlines()[-1])
    mark = site.log_mark()

    async def run() -> tuple[list[object], str]:
        async with Browser(site.url) as browser:
            page = await browser.sign_in("burst-recovery", PASSWORD)
            assert page.status_code == 200
            cookie, key = browser.cookie_header(), browser.session_key
            answers = await burst(
                site.url, "/2fa/recover/", [{"code": codes[0]}] * K, cookie, browser.csrf
            )
        return answers, key

    responses, old_key = asyncio.run(run())

    assert all(response.status_code < 500 for response in responses)  # type: ignore[attr-defined]
    winners = [
        r
        for r in responses
        if r.status_code == 302 and r.headers["location"] == NEXT  # type: ignore[attr-defined]
    ]
    shapes = Counter((r.status_code, r.headers.get("location")) for r in responses)  # type: ignore[attr-defined]
    assert len(winners) == 1, shapes
    new_key = winners[0].cookies.get("sessionid")  # type: ignore[attr-defined]
    assert new_key and new_key != old_key
    ((used, left),) = site.query(
        "SELECT count(used_at), count(*) - count(used_at) FROM tyntec2fa_recoverycode "
        "WHERE user_id = %s",
        user_id,
    )
    assert (used, left) == (1, len(codes) - 1)
    assert asyncio.run(protected_status(site, new_key)) == 200
    assert asyncio.run(protected_status(site, old_key)) == 302
    assert len(site.worker_pids("/2fa/recover/", since=mark)) >= 2, "one worker took all"
