"""Conversion monitoring in the admin (P4): the blocks (lift one with an action) and
the safe list (added and removed by operators). The counts are in the cache;
``manage.py tyntec2fa_status --number`` shows them for a number."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..abuse import conversion
from ..flows import support
from ..models import DestinationBlock, SafeListEntry
from .base import _report
from .lookups import NumberLookupsRefused


@admin.action(description=_("Lift the block now"), permissions=["change"])
def lift_blocks(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]
) -> None:
    """End the selected active blocks; the rows stay, so a new block still escalates."""
    by = support.operator(request)
    lifted = sum(conversion.end_block(block, request=request, by=by) for block in queryset)
    text = ngettext("%(count)d block lifted.", "%(count)d blocks lifted.", lifted)
    _report(modeladmin, request, lifted, text % {"count": lifted})


@admin.register(DestinationBlock)
class DestinationBlockAdmin(NumberLookupsRefused):
    """Blocks start automatically; operators lift them (the action), move their end
    (the change page) or delete them (a false alarm: the next block of the destination
    does not escalate). Each goes through the conversion monitor and is audited."""

    list_display = ["scope", "value", "level", "created_at", "until", "active", "sends"]
    list_filter = ["scope", "level"]
    search_fields = ["=value", "value__startswith"]  # prefixes and countries, shown anyway
    number_fields = ("value",)
    date_hierarchy = "created_at"
    actions = [lift_blocks]
    fields = [
        "scope",
        "value",
        "level",
        "created_at",
        "until",
        "sends",
        "verifications",
        "reasons",
    ]
    readonly_fields = ["scope", "value", "level", "created_at", "sends", "verifications", "reasons"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # only the conversion monitor starts a block

    def save_model(
        self, request: HttpRequest, obj: DestinationBlock, form: Any, change: bool
    ) -> None:
        """Only the end is editable; ``conversion.end_block`` moves it, audited."""
        if change and "until" in form.changed_data:
            conversion.end_block(
                obj, until=obj.until, request=request, by=support.operator(request)
            )

    def delete_model(self, request: HttpRequest, obj: DestinationBlock) -> None:
        conversion.forget_block(obj, request=request, by=support.operator(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        by = support.operator(request)
        for block in queryset:
            conversion.forget_block(block, request=request, by=by)

    @admin.display(boolean=True, description=_("active"))
    def active(self, obj: DestinationBlock) -> bool:
        """True while the block refuses sends."""
        return obj.is_active()

    @admin.display(description=_("why"))
    def reasons(self, obj: DestinationBlock) -> SafeString:
        """The prefixes, accounts and IPs behind the block (``conversion.reasons``)."""
        lines = conversion.describe_reasons(obj).splitlines()
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines))


@admin.register(SafeListEntry)
class SafeListEntryAdmin(NumberLookupsRefused):
    """Numbers, prefixes and countries that conversion blocks never stop. A number is
    shown masked once saved (G4): to change one, delete it and add it again."""

    list_display = ["kind", "masked_value", "note", "created_at"]
    list_filter = ["kind"]
    # Not the model's ("kind", "value"): an order by the full numbers tells their digits.
    ordering = ["kind", "created_at", "pk"]
    # A prefix or country by its exact value; a number by its last digits or in full.
    search_fields = ["note", "=value"]
    number_fields = ("value",)
    number_search = "value"
    fields = ["kind", "value", "note"]

    def get_fields(self, request: HttpRequest, obj: SafeListEntry | None = None) -> list[str]:
        return ["kind", "value", "note"] if obj is None else ["kind", "masked_value", "note"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: SafeListEntry | None = None
    ) -> list[str]:
        return [] if obj is None else ["kind", "masked_value"]

    @admin.display(description=_("value"))
    def masked_value(self, obj: SafeListEntry) -> str:
        """The value, a number masked."""
        return obj.masked_value
