"""Reading the one row a filter can match (a unique key, a one-to-one, a partial unique
constraint) without sorting it."""

from __future__ import annotations

from typing import TypeVar

from django.db import models

_M = TypeVar("_M", bound=models.Model)


def one_row(queryset: models.QuerySet[_M]) -> _M | None:
    """The row ``queryset`` matches, or None; the caller knows it matches one at most.

    Not ``first()``: it adds an ORDER BY (the model's ordering, else the primary key),
    and building that clause is most of what such a query costs in Django; these reads
    are on every code check's and code page's path. ``select_for_update`` and
    ``select_related`` of ``queryset`` are kept."""
    return next(iter(queryset.order_by()[:1]), None)
