"""Phone numbers stay masked in the admin, also for staff who only view (G4).

The change lists show numbers masked (``+49*******6789``), but Django's admin accepts
any lookup on a model's own fields in the query string: ``?number__startswith=+4915``
answers "1 result" or "0 results", so walking the digits recovers a whole number. For
every admin that holds a number, ``NumberLookupsRefused``:

- refuses every query-string lookup that touches a number field (``number``,
  ``device__number``, a safe-list ``value``, ...): Django answers 400
  (``DisallowedModelAdminLookup``), an error page instead of a count;
- lets the search box match a number in two ways only: the last digits a user reads
  out (at most ``SEARCH_DIGITS``, which the masked number shows anyway), or a whole
  number typed in full (the support desk confirming a number it already knows). A
  longer ending, which could be walked one digit at a time from the end, matches
  nothing.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest

from ..abuse.masking import mask_number
from ..abuse.phone import normalize_number
from ..exceptions import DeviceError

#: Digits the search box matches at the end of a number: what the masked number shows.
SEARCH_DIGITS = 4


class NumberLookupsRefused(admin.ModelAdmin):
    """Mix in before ``admin.ModelAdmin`` (or a subclass of it)."""

    #: Field names that hold a number (or part of one) on this model or a related one.
    number_fields: tuple[str, ...] = ("number",)
    #: The number field the search box matches (``None``: the search never does).
    number_search: str | None = None
    #: The stored number is masked (the audit trail): a full number is masked to match.
    number_search_masked: bool = False

    def lookup_allowed(self, lookup: str, value: Any, request: Any = None) -> bool:
        """Refuse every lookup whose path names a number field."""
        if set(lookup.split(LOOKUP_SEP)) & set(self.number_fields):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        """The search over ``search_fields``, or the number as the module docstring says."""
        found, duplicates = super().get_search_results(request, queryset, search_term)
        if self.number_search is not None:
            where = self._number_q(search_term.strip())
            if where is not None:
                found = found | queryset.filter(where)
        return found, duplicates

    def _number_q(self, term: str) -> Q | None:
        field = self.number_search
        if re.fullmatch(rf"\d{{1,{SEARCH_DIGITS}}}", term):
            return Q(**{f"{field}__endswith": term})
        if len(re.sub(r"\D", "", term)) <= SEARCH_DIGITS or not term.startswith("+"):
            return None
        try:
            number = normalize_number(term)
        except DeviceError:
            return None
        return Q(**{field: mask_number(number) if self.number_search_masked else number})
