"""Phone devices in the admin: found by user or by the number's last digits, shown masked."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .. import support
from ..models import PhoneDevice
from .base import FailureActionsMixin, reset_failures, unlock_accounts


@admin.register(PhoneDevice)
class PhoneDeviceAdmin(FailureActionsMixin, admin.ModelAdmin):
    """Devices are added only through enrollment, which proves the phone (E1); support
    can relabel, change the channel or language, and remove a lost phone."""

    list_display = [
        "user",
        "masked_number",
        "label",
        "is_primary",
        "confirmed",
        "channel",
        "created_at",
        "last_used_at",
    ]
    list_filter = ["confirmed", "is_primary", "channel"]
    list_select_related = ["user"]
    # "number__endswith": support types the last digits the user reads out; the result
    # list still shows only the masked number.
    search_fields = ["user__username", "user__email", "number__endswith"]
    date_hierarchy = "created_at"
    actions = [unlock_accounts, reset_failures]
    fields = [
        "user",
        "masked_number",
        "label",
        "channel",
        "language",
        "is_primary",
        "confirmed",
        "created_at",
        "last_used_at",
    ]
    readonly_fields = [
        "user",
        "masked_number",
        "is_primary",
        "confirmed",
        "created_at",
        "last_used_at",
    ]

    @admin.display(description=_("phone number"), ordering="number")
    def masked_number(self, obj: PhoneDevice) -> str:
        return obj.masked_number

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        assert isinstance(obj, PhoneDevice)  # noqa: S101  (ModelAdmin typing is generic)
        support.remove_device(obj, request=request)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for device in queryset.select_related("user"):
            support.remove_device(device, request=request)
