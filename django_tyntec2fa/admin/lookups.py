"""What the list does not show, the query string cannot reach (G3, G4).

Django's admin accepts any lookup on a model's own fields in the query string and
sorts by any column's ordering field, shown or not: ``?digest__startswith=ab`` on
recovery codes answered "1 result" or "0 results", so walking the characters rebuilt a
whole hash; ``?o=2`` on phones sorted by the full number behind the masked column.
``ShownFieldsOnly``, the base of every admin of the app (issue 23.5):

- refuses every query-string lookup whose field is not one the list shows (a column
  that is a field, a filter, the date hierarchy, the primary key every row's link
  carries; a number never, ``NumberLookupsRefused``): Django answers 400
  (``DisallowedModelAdminLookup``) whatever the value, so a matching and a
  non-matching prefix get the same answer. A column that is a relation (the user)
  allows its own id only, never a field behind it (``user__password__startswith``);
- sorts only by columns whose ordering field is shown (``get_sortable_by``), and the
  list ignores ``?o=`` for any other column (Django itself only hides the link);
- searches only shown columns, the user's username (the user column), an exact value
  typed in full (``=field``, which confirms a value but cannot be walked), and a field
  behind a relation only for staff who may view that model (the user's email for staff
  who see the user admin).

Phone numbers stay masked in the admin, also for staff who only view (G4).

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
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest

from ..abuse.masking import mask_number
from ..abuse.phone import normalize_number
from ..exceptions import DeviceError

#: Digits the search box matches at the end of a number: what the masked number shows.
SEARCH_DIGITS = 4


class ShownOnlyChangeList(ChangeList):
    """Django sorts by ``?o=`` whatever ``sortable_by`` says; this list does not."""

    def get_ordering_field(self, field_name: Any) -> Any:
        """No ordering field for a column the admin does not let sort."""
        if self.sortable_by is not None and field_name not in self.sortable_by:
            return None
        return super().get_ordering_field(field_name)


def field_path(model: type[Model], lookup: str) -> str:
    """The fields a lookup walks, without its transforms and its lookup type:
    ``user__id__exact`` is ``user``, ``user_id`` is ``user``, ``pk__gt`` is ``id``,
    ``user__email__startswith`` is ``user__email``, an unknown field is ``""``."""
    path: list[str] = []
    relation = None
    for part in lookup.split(LOOKUP_SEP):
        if part == "pk":
            part = model._meta.pk.name
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            break
        if relation is not None and getattr(field, "primary_key", False):
            break  # the related row's id is the relation's own value
        path.append(field.name)
        if not field.is_relation or field.related_model is None:
            break
        relation, model = field, field.related_model
    return LOOKUP_SEP.join(path)


class ShownFieldsOnly(admin.ModelAdmin):
    """Filters, sorting and search on what the list shows, nothing else (the module
    docstring). The base of every ModelAdmin of the app."""

    def shown_fields(self, request: HttpRequest | None) -> set[str]:
        """Field paths the list shows: columns that are fields, filters, the date
        hierarchy and the primary key (each row's link carries it)."""
        opts = self.model._meta
        shown = {opts.pk.name}
        columns = self.get_list_display(request) if request is not None else self.list_display
        for column in columns:
            if isinstance(column, str) and field_path(self.model, column) == column:
                shown.add(column)
        filters = self.get_list_filter(request) if request is not None else self.list_filter
        for item in filters:
            if isinstance(item, (list, tuple)):
                shown.add(field_path(self.model, item[0]))
            elif isinstance(item, str):
                shown.add(field_path(self.model, item))
        if self.date_hierarchy:
            shown.add(self.date_hierarchy)
        return shown - {""}

    def _filter_parameters(self, request: HttpRequest | None) -> set[str]:
        """The query-string names of the list's own custom filters."""
        filters = self.get_list_filter(request) if request is not None else self.list_filter
        return {
            item.parameter_name
            for item in filters
            if isinstance(item, type) and issubclass(item, admin.SimpleListFilter)
        }

    def lookup_allowed(self, lookup: str, value: Any, request: Any = None) -> bool:
        """Only lookups on a shown field, or a custom filter's own parameter."""
        if lookup not in self._filter_parameters(request) and field_path(
            self.model, lookup
        ) not in self.shown_fields(request):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_sortable_by(self, request: HttpRequest) -> list[str]:
        """The columns whose ordering field is shown; not a masked number's."""
        shown = self.shown_fields(request)
        return [
            column
            for column in self.get_list_display(request)
            if isinstance(column, str) and self._ordering_field(column) in shown
        ]

    def _ordering_field(self, column: str) -> str | None:
        if field_path(self.model, column) == column:
            return column
        attr = getattr(self, column, None) or getattr(self.model, column, None)
        if isinstance(attr, property):
            attr = attr.fget
        ordering = getattr(attr, "admin_order_field", None)
        return ordering.lstrip("-") if isinstance(ordering, str) else None

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        """The search fields of the module docstring, in their order."""
        return [
            name for name in super().get_search_fields(request) if self._searchable(request, name)
        ]

    def _searchable(self, request: HttpRequest, name: str) -> bool:
        if name.startswith("="):
            return LOOKUP_SEP not in name  # a whole value on the model's own field
        path = field_path(self.model, name.lstrip("^@"))
        first, _, rest = path.partition(LOOKUP_SEP)
        if first not in self.shown_fields(request):
            return False
        if not rest:
            return True
        related = self.model._meta.get_field(first).related_model
        if rest == getattr(related, "USERNAME_FIELD", None):
            return True  # what the user column shows
        opts = related._meta
        return bool(request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}"))

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        """The list that sorts only by ``get_sortable_by``'s columns."""
        return ShownOnlyChangeList


class NumberLookupsRefused(ShownFieldsOnly):
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
