"""What an operation answers, before the handler writes it to the socket."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reply:
    """An HTTP status and a JSON body; ``body`` None means an empty body."""

    status: int
    body: Any = None
