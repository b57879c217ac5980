"""drf-spectacular, when installed (the optional extra ``schema``); no-ops otherwise.

The API modules import the OpenAPI helpers from here only, so the API works without
drf-spectacular: the annotations then cost nothing and change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

try:
    from drf_spectacular.utils import (
        OpenApiExample,
        OpenApiParameter,
        OpenApiResponse,
        extend_schema,
    )
except ImportError:  # the extra "schema" is not installed
    AVAILABLE = False

    def extend_schema(*args: Any, **kwargs: Any) -> Callable[[Any], Any]:  # type: ignore[no-redef]
        """Without drf-spectacular: leave the view as it is."""
        return lambda view: view

    class OpenApiExample:  # type: ignore[no-redef]
        """Without drf-spectacular: an inert record of an example."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.args, self.kwargs = args, kwargs

    class OpenApiResponse(OpenApiExample):  # type: ignore[no-redef]
        """Without drf-spectacular: an inert record of a response."""

    class OpenApiParameter(OpenApiExample):  # type: ignore[no-redef]
        """Without drf-spectacular: an inert record of a parameter."""

        QUERY, PATH, HEADER, COOKIE = "query", "path", "header", "cookie"

else:
    AVAILABLE = True

__all__ = ["AVAILABLE", "OpenApiExample", "OpenApiParameter", "OpenApiResponse", "extend_schema"]
