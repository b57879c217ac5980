"""The steps of a login that the suites share, defined once: the password step through
Django's LoginView, the code from the outbox, both of them; what every answer of a code
page or endpoint carries; a wrong code, and a code page's refusal as the browser sees it.

``tests/conftest.py`` offers each step as a fixture of the same name, so a test asks
for ``last_code`` like for ``client``; a helper that is not a test, or a Hypothesis
test case, imports the function from here (``from .. import steps``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django
from django.test import Client
from django.urls import reverse

from django_tyntec2fa.providers import sinks

from .people import PASSWORD

#: Django's LoginView in the test projects (tests/urls.py, tests/views/urls.py).
LOGIN = "/accounts/login/"

#: The types of the fixtures of the same names.
LastCode = Callable[..., str]
PasswordLogin = Callable[..., Any]
FullLogin = Callable[..., Any]
AssertNeverCached = Callable[[Any], None]

#: Every directive ``never_cache`` sets (S7).
NO_CACHE_DIRECTIVES = ("no-cache", "no-store", "must-revalidate", "private")


def password_login(
    client: Client,
    user: Any,
    path: str = LOGIN,
    *,
    next_url: str | None = None,
    secure: bool = False,
    **data: str,
) -> Any:
    """The password step of ``user`` (whose password is ``people.PASSWORD``) through
    Django's LoginView at ``path`` (or the admin's), with ``?next=next_url`` when given
    and ``data`` as more form fields; asserts it was accepted (a redirect)."""
    query = "" if next_url is None else f"?next={next_url}"
    credentials = {"username": user.get_username(), "password": PASSWORD, **data}
    response = client.post(path + query, credentials, secure=secure)
    assert response.status_code == 302, response.content
    return response


def last_code(number: str | None = None) -> str:
    """The code of the newest message in the outbox (to ``number``, when given)."""
    for delivery in reversed(sinks.outbox):
        if number is None or delivery.number == number:
            return delivery.code
    raise AssertionError(f"no message in the outbox for {number!r}")


def full_login(client: Client, user: Any, next_url: str = "/protected/") -> Any:
    """The password step, then the code from the outbox on the challenge page: a
    verified session, which reaches ``next_url`` (a page that needs the second factor
    or a login in both test projects). Returns the code's answer."""
    password_login(client, user, next_url=next_url)
    response = client.post(reverse("tyntec2fa:challenge"), {"code": last_code()})
    assert response.status_code == 302, response.content
    assert client.get(next_url).status_code == 200
    return response


def assert_never_cached(response: Any) -> None:
    """The answer carries every directive ``never_cache`` sets (S7)."""
    header = response.get("Cache-Control", "")
    for directive in NO_CACHE_DIRECTIVES:
        assert directive in header, (response.request["PATH_INFO"], header)


def wrong_code(code: str) -> str:
    """A code of the same length that differs from ``code`` in every digit."""
    return "".join(str((int(digit) + 1) % 10) for digit in code)


def refused(client: Client, path: str, data: dict[str, Any]) -> Any:
    """Post a code that ``path`` (a code page) refuses, and follow the one redirect back
    to the page, as a browser does (post/redirect/get): the page the user then sees."""
    answer = client.post(path, data)
    assert answer.status_code == 302, answer.status_code
    assert answer.url.split("?")[0] == path.split("?")[0], answer.url
    return client.get(answer.url)


def use_mail_backend(settings: Any, backend: str) -> None:
    """Send the test's mail through ``backend``: ``MAILERS`` where Django has it (6.1+,
    which deprecates ``EMAIL_BACKEND``), ``EMAIL_BACKEND`` before."""
    if django.VERSION >= (6, 1):
        settings.MAILERS = {"default": {"BACKEND": backend}}
    else:
        settings.EMAIL_BACKEND = backend
