"""Are PostgreSQL and Redis reachable? Used by ``make test-postgres``.

Exit 0 when both answer. Otherwise exit 1 with the reason on stderr. The Makefile then
skips the PostgreSQL run on a developer machine, and fails it under CI=true, where a
missing service is an error.
"""

from __future__ import annotations

import os
import socket
import sys


def reachable(host: str, port: int) -> bool:
    """A TCP connection to ``host:port`` opens within a second."""
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def main() -> int:
    services = {
        "PostgreSQL": (
            os.environ.get("PGHOST", "127.0.0.1"),
            int(os.environ.get("PGPORT", "5432")),
        ),
        "Redis": ("127.0.0.1", 6379),
    }
    missing = [
        f"{name} at {host}:{port}"
        for name, (host, port) in services.items()
        if not reachable(host, port)
    ]
    if missing:
        print("not reachable: " + ", ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
