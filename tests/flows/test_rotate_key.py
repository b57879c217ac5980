"""``session.rotate_key`` (S3) with every session engine Django ships: the data stays,
the key changes, the old session is gone from the store, and the new one is written
once, when the response saves the session."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.test import RequestFactory

from django_tyntec2fa.core import session

ENGINES = [
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cache",
    "django.contrib.sessions.backends.cached_db",
    "django.contrib.sessions.backends.file",
    "django.contrib.sessions.backends.signed_cookies",
]


@pytest.mark.django_db
@pytest.mark.parametrize("engine", ENGINES)
def test_rotate_key_keeps_the_data_under_a_new_key_s3(engine: str, settings, tmp_path) -> None:
    settings.SESSION_ENGINE = engine
    settings.SESSION_FILE_PATH = str(tmp_path)
    store_class = import_module(engine).SessionStore
    request = RequestFactory().get("/")
    request.session = store_class()
    request.session["cart"] = [1, 2]
    request.session.save()
    old_key = request.session.session_key
    assert old_key

    session.rotate_key(request)

    assert dict(request.session.items()) == {"cart": [1, 2]}
    request.session.save()  # what SessionMiddleware does with the response
    new_key = request.session.session_key
    assert store_class(new_key).load() == {"cart": [1, 2]}
    if engine.endswith("signed_cookies"):
        # The cookie is the session: its "key" is the signed data, so the same data
        # signed in the same second is the same cookie, and there is no stored session
        # to invalidate. (A login changes the data, so its cookie changes.)
        return
    assert new_key and new_key != old_key
    assert not store_class().exists(old_key)
    assert store_class(old_key).load() == {}


@pytest.mark.django_db
def test_rotate_key_of_an_unsaved_session_waits_for_the_save() -> None:
    """A session that was never stored gets its (first) key when it is saved."""
    request = RequestFactory().get("/")
    request.session = import_module("django.contrib.sessions.backends.db").SessionStore()
    request.session["x"] = 1
    session.rotate_key(request)
    assert request.session.session_key is None
    request.session.save()
    assert request.session.session_key is not None


@pytest.mark.django_db
def test_rotate_key_of_a_database_session_moves_its_row_s3(django_assert_num_queries) -> None:
    """Django's database engine: the row takes the new key in one UPDATE (no read,
    no second row), the old key finds nothing, and the save keeps the data."""
    from django.contrib.sessions.models import Session

    store_class = import_module("django.contrib.sessions.backends.db").SessionStore
    request = RequestFactory().get("/")
    request.session = store_class()
    request.session["cart"] = [1, 2]
    request.session.save()
    old_key = request.session.session_key

    with django_assert_num_queries(1):
        session.rotate_key(request)

    new_key = request.session.session_key
    assert new_key and new_key != old_key
    assert not store_class().exists(old_key)
    request.session["user"] = "7"  # what the login adds before the response saves
    request.session.save()
    assert Session.objects.count() == 1
    assert store_class(new_key).load() == {"cart": [1, 2], "user": "7"}
    assert store_class(old_key).load() == {}


@pytest.mark.django_db
def test_rotate_key_of_a_database_session_deleted_meanwhile_saves_a_new_one_s3() -> None:
    """The row went between loading the session and the rotation (signed out
    everywhere, say): nothing to move, so the save creates a session under a new key
    instead of failing, and the old key stays unknown."""
    store_class = import_module("django.contrib.sessions.backends.db").SessionStore
    request = RequestFactory().get("/")
    request.session = store_class()
    request.session["cart"] = [1, 2]
    request.session.save()
    old_key = request.session.session_key
    store_class().delete(old_key)

    session.rotate_key(request)

    assert request.session.session_key is None
    request.session.save()
    new_key = request.session.session_key
    assert new_key and new_key != old_key
    assert store_class(new_key).load() == {"cart": [1, 2]}
    assert not store_class().exists(old_key)
