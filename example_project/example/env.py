"""Settings from environment variables, parsed with the standard library only.

``DATABASE_URL`` takes the dj-database-url forms the demo needs:
``postgres://user:pass@host:port/name`` (or ``postgresql://``) and ``sqlite:///relative.db``
/ ``sqlite:////absolute/path.db``. ``REDIS_URL`` is handed to Django's own Redis cache.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured


def database_from_url(url: str, base_dir: Path) -> dict[str, Any]:
    """One ``DATABASES`` entry from a database URL."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///name.db is relative to the project, sqlite:////tmp/name.db absolute.
        path = parts.path[1:] if parts.path.startswith("/") else parts.path
        if not path:
            raise ImproperlyConfigured("DATABASE_URL sqlite:/// needs a file name.")
        name = path if Path(path).is_absolute() else str(base_dir / path)
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name}
    if parts.scheme in {"postgres", "postgresql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured("DATABASE_URL needs a database name: postgres://…/name")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL scheme {parts.scheme!r} is not supported; use postgres:// or sqlite://."
    )


def cache_from_url(url: str) -> dict[str, Any]:
    """The ``default`` cache: Redis when ``REDIS_URL`` is set, else local memory."""
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if urlsplit(url).scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured("REDIS_URL must start with redis://, rediss:// or unix://.")
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}


def flag(value: str | None, default: bool) -> bool:
    """``"1"``, ``"true"``, ``"yes"``, ``"on"`` (any case) are true; unset gives ``default``."""
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}
