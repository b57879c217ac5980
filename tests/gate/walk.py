"""Walk every URL pattern of the test project (S1): the patterns as concrete paths, and a
middleware that records what each view saw as ``request.user``."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils.regex_helper import normalize

#: Values tried for each path parameter: an int, an admin app label, a slug, base64 (a
#: uidb64), a UUID. The first combination that resolves is used.
DUMMIES = ("1", "auth", "x", "MQ", "00000000-0000-0000-0000-000000000001")
MAX_PARAMS = 3  # bounds the combinations tried per pattern (len(DUMMIES) ** 3)

RECORDER = "tests.gate.walk.RecordUserMiddleware"
#: (path, request.user.is_authenticated) for each view reached, in order.
seen: list[tuple[str, bool]] = []


def _regexes(patterns: list[Any], prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for entry in patterns:
        pieces = (*prefix, entry.pattern.regex.pattern)
        if isinstance(entry, URLResolver):
            yield from _regexes(entry.url_patterns, pieces)
        elif isinstance(entry, URLPattern):
            yield pieces


def _fill(regex: str) -> str | None:
    """A path matching ``regex`` with dummy parameter values, or None."""
    for template, params in normalize(regex):
        if len(params) > MAX_PARAMS:
            continue
        for values in itertools.product(DUMMIES, repeat=len(params)):
            path = "/" + template % dict(zip(params, values, strict=True))
            try:
                resolve(path)
            except Resolver404:
                continue
            return path
    return None


def every_path() -> list[str]:
    """One concrete path per URL pattern of the ROOT_URLCONF (recursively)."""
    paths = []
    for pieces in _regexes(get_resolver().url_patterns):
        regex = "".join(piece.removeprefix("^") for piece in pieces)
        path = _fill(regex)
        assert path is not None, f"no path fits the pattern {regex!r}"
        paths.append(path)
    return sorted(set(paths))


class RecordUserMiddleware:
    """Appended last to MIDDLEWARE in the walk: runs just before each view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, *args: Any) -> None:
        seen.append((request.path, bool(request.user.is_authenticated)))
