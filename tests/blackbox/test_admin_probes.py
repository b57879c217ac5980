"""G3, G4 black-box (issue 23.5): staff with view rights only, signed in with password
and code on gunicorn + PostgreSQL, probe the admin's query string for what its lists do
not show: a recovery code's hash, a trusted browser's hashes, a challenge's provider OTP
id, the full number behind a masked column. A prefix that matches the stored value and
one that does not get the same answer, so no walk can start.

Run with ``BLACKBOX_REDIS_URL=redis://127.0.0.1:6379/<db>
.venv/bin/python -m pytest --ds=tests.settings_postgres tests/blackbox -k admin``.
"""

from __future__ import annotations

import asyncio
import re

import pytest

from .browser import Browser
from .harness import BlackBoxSite
from .test_burst import PASSWORD, code_of, seed_one

pytestmark = pytest.mark.postgres

ROWS = """
import datetime as dt
from unittest import mock
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone
from django_tyntec2fa.flows import recovery, sensitive
from django_tyntec2fa.models import TrustedBrowser
users = get_user_model().objects
viewer = users.get(username="admin-viewer")
viewer.is_staff = True
viewer.save()
viewer.user_permissions.set(
    Permission.objects.filter(content_type__app_label="tyntec2fa", codename__startswith="view_")
)
owner = users.get(username="admin-owner")
with mock.patch.object(sensitive, "recent_for", return_value=True):
    recovery.generate(None, owner)
TrustedBrowser.objects.create(
    user=owner, secret_digest="5e" * 32, auth_digest="a7" * 32, description="Firefox",
    expires_at=timezone.now() + dt.timedelta(days=30),
)
"""


def probes(site: BlackBoxSite) -> list[tuple[str, str, str]]:
    """(list, lookup, the stored value) of each hidden value the finding walked."""
    ((digest,),) = site.query("SELECT digest FROM tyntec2fa_recoverycode LIMIT 1")
    ((auth,),) = site.query("SELECT auth_digest FROM tyntec2fa_trustedbrowser LIMIT 1")
    ((otp_id,),) = site.query(
        "SELECT provider_otp_id FROM tyntec2fa_challenge WHERE provider_otp_id <> '' LIMIT 1"
    )
    return [
        ("recoverycode", "digest__startswith", digest),
        ("trustedbrowser", "auth_digest__startswith", auth),
        ("challenge", "provider_otp_id__startswith", otp_id),
        ("phonedevice", "number__startswith", "+4915123450"),
    ]


def test_view_only_staff_learn_nothing_from_a_prefix_probe_g3_g4(site: BlackBoxSite) -> None:
    viewer_id = seed_one(site, "admin-viewer", "+4915123450021")
    seed_one(site, "admin-owner", "+4915123450022")
    site.manage("shell", "-c", ROWS)

    async def run() -> tuple[list[tuple[str, tuple[int, bytes], tuple[int, bytes]]], str]:
        async with Browser(site.url) as browser:
            page = await browser.sign_in("admin-viewer", PASSWORD)
            assert 'action="/2fa/challenge/"' in page.text
            done = await browser.post("/2fa/challenge/", {"code": code_of(site, viewer_id)})
            assert done.status_code == 302, done.status_code
            listing = await browser.client.get("/admin/tyntec2fa/recoverycode/")
            assert listing.status_code == 200 and "admin-owner" in listing.text
            answers = []
            for model, lookup, value in probes(site):
                url = f"/admin/tyntec2fa/{model}/"
                right = await browser.client.get(url, params={lookup: value[:3]})
                wrong = await browser.client.get(url, params={lookup: "~~~"})
                answers.append(
                    (
                        f"{model}?{lookup}",
                        (right.status_code, right.content),
                        (wrong.status_code, wrong.content),
                    )
                )
            phones = await browser.client.get("/admin/tyntec2fa/phonedevice/")
        return answers, phones.text

    answers, phones = asyncio.run(run())
    for where, right, wrong in answers:
        assert right == wrong, where
        assert right[0] == 400, where
    # The masked number's column header is no sort link (``?o=``).
    header = re.search(r'<th[^>]*class="[^"]*column-masked_number[^"]*"', phones)
    assert header and "sortable" not in header.group(0)
