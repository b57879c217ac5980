"""Issue 23.13 and 23.15 in a real browser, axe at 0 serious or critical.

23.13: while "Call me instead" waits for the resend cooldown, the hint that offers the
call says from when (a clock time), not a bare "instead"; adding a phone and making
one primary are confirmed on the phones page (``role="status"``), as removing is.
23.15: a view-only operator's audit list in the Django admin: every link of the
channel filter has a name (no empty ``<a href="?channel=">``, axe ``link-name``).

One demo site: the local provider reports each text message failed a second after
the send (so the code page suggests a call), a 60 s resend cooldown keeps "Call me
instead" disabled meanwhile.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest

from ..example_site import Site, example_env, manage, serve
from .axe import axe_source, blocking_violations
from .conftest import ARTIFACTS, TIMEOUT_MS
from .test_pages import CREATE_USERS, PASSWORD, Walk

pytestmark = pytest.mark.own_site

COOLDOWN = 60
CALLER = ("notices-en", "+4915123456791", "+4915123456793")
AUDITOR = ("auditor-en", "+4915123456792")
HINT = "#tyntec2fa-delivery [data-tyntec2fa-delivery-hint]"
#: The page asks for the delivery 3 s after loading, then every 4 s.
POLL_MS = 12_000

#: The auditor: staff with only the app's view permissions (an operator's real ones),
#: and an audit event without a channel (a lockout has none) beside the sign-ins'.
AUDITOR_SETUP = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django_tyntec2fa.models import AuditEvent
user = get_user_model().objects.get(username={username!r})
user.is_staff = True
user.save()
user.user_permissions.set(
    Permission.objects.filter(content_type__app_label="tyntec2fa", codename__startswith="view_")
)
AuditEvent.objects.create(kind=AuditEvent.Kind.ACCOUNT_LOCKED, user=user, channel="")
AuditEvent.objects.create(kind=AuditEvent.Kind.CHALLENGE_SENT, user=user, channel="SMS")
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    directory = tmp_path_factory.mktemp("notices")
    env = example_env(
        directory,
        TYNTEC2FA_RESEND_COOLDOWN=str(COOLDOWN),
        TYNTEC2FA_LOCAL_DELIVERY='{"SMS": "failed", "VOICE": "delivered"}',
        TYNTEC2FA_LOCAL_DELIVERY_DELAY="1",
    )
    manage("migrate", "--noinput", env=env)
    users = CREATE_USERS.format(users=[CALLER[:2], AUDITOR], password=PASSWORD)
    manage("shell", "-c", users, env=env)
    manage("shell", "-c", AUDITOR_SETUP.format(username=AUDITOR[0]), env=env)
    with serve(env, directory / "runserver.log") as running:
        yield running


@pytest.fixture
def walk(browser: Any, site: Site) -> Iterator[Walk]:
    context = browser.new_context(base_url=site.url, locale="en-US", timezone_id="UTC")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield Walk(context.new_page(), site, "en", axe_source())
    finally:
        context.close()


def test_the_call_hint_says_when_and_the_phones_page_confirms(walk: Walk) -> None:
    """23.13 (a) and (c)."""
    page, source = walk.page, walk.axe
    findings: list[str] = []
    signed_in = dt.datetime.now(dt.UTC).replace(microsecond=0)
    walk.sign_in(CALLER[0])
    # The text message is reported failed: the page suggests a call while "Call me
    # instead" still waits for the cooldown; the hint says from when.
    page.wait_for_function(f"document.querySelector({HINT!r}).textContent !== ''", timeout=POLL_MS)
    call = page.get_by_role("button", name="Call me instead", exact=True)
    assert call.is_disabled()
    hint = page.locator(HINT)
    assert hint.is_visible()
    said = re.fullmatch(
        r"You can get the code by a phone call instead from (\d\d:\d\d:\d\d) UTC\.",
        hint.inner_text(),
    )
    assert said, hint.inner_text()
    # The time is the cooldown's end: about COOLDOWN seconds after the sign-in's send.
    when = dt.datetime.combine(signed_in.date(), dt.time.fromisoformat(said[1]), dt.UTC)
    assert 0 <= (when - signed_in).total_seconds() <= COOLDOWN + 5, (when, signed_in)
    page.screenshot(path=str(ARTIFACTS / "notices-call-hint.png"), full_page=True)
    findings += blocking_violations(page, source, "call hint")

    walk.type_code(walk.code(CALLER[1]), "Verify")
    # Adding a phone: the phones page says it was added.
    page.goto("/2fa/enroll/")
    page.get_by_label("Phone number").fill(CALLER[2])
    page.get_by_role("button", name="Send a code", exact=True).click()
    page.wait_for_url(re.compile(r"/2fa/enroll/confirm/"))
    walk.type_code(walk.code(CALLER[2]), "Confirm phone")
    page.wait_for_url(re.compile(r"/2fa/devices/$"))
    added = page.get_by_role("status").filter(has_text="was added")
    assert added.is_visible() and f"*{CALLER[2][-4:]}" in added.inner_text()
    findings += blocking_violations(page, source, "phone added")
    page.screenshot(path=str(ARTIFACTS / "notices-added.png"), full_page=True)

    # Making it primary (the sign-in's code is recent): the page says where codes go.
    card = page.get_by_role("listitem").filter(has_text=f"*{CALLER[2][-4:]}")
    with page.expect_navigation():
        card.get_by_role("button", name=re.compile("^Make primary")).click()
    assert page.url.endswith("/2fa/devices/")
    primary = page.get_by_role("status").filter(has_text="now go to")
    assert primary.is_visible() and f"*{CALLER[2][-4:]}" in primary.inner_text()
    findings += blocking_violations(page, source, "phone made primary")
    page.screenshot(path=str(ARTIFACTS / "notices-primary.png"), full_page=True)
    # Said once: a reload shows the phones page without it.
    page.reload()
    assert page.get_by_role("status").filter(has_text="now go to").count() == 0
    assert findings == []


def test_a_view_only_operator_reads_the_audit_list_with_named_filter_links(
    walk: Walk,
) -> None:
    """23.15: the channel filter names each choice and "no channel"; axe finds no
    serious or critical violation (``link-name`` among them) but Django's own."""
    page = walk.page
    walk.sign_in(AUDITOR[0])
    walk.type_code(walk.code(AUDITOR[1]), "Verify")
    assert page.goto("/admin/tyntec2fa/auditevent/").status == 200
    page.get_by_role("heading", name=re.compile("audit event", re.I)).first.wait_for()
    links = page.locator('#changelist-filter a[href*="channel="]')
    names = [name.strip() for name in links.all_inner_texts()]
    assert len(names) >= 2, names
    assert all(names), names
    # Each link of the filter goes somewhere a name says: "no channel" among them.
    assert "no channel" in names
    page.screenshot(path=str(ARTIFACTS / "notices-admin-audit.png"), full_page=True)
    # Django's own stylesheet sets the filter links below 24 px (WCAG 2.2 target-size);
    # the app's change_list.html gives its lists' filters the size.
    assert blocking_violations(page, walk.axe, "admin audit list") == []
