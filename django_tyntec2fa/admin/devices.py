"""Phone devices in the admin: found by user or by the number's last digits, shown masked."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ..flows import support
from ..models import PhoneDevice
from .base import FailureActionsMixin, reset_failures, unlock_accounts, warn_provider_errors
from .lookups import NumberLookupsRefused
from .recovery import RecoveryCodesColumn, revoke_recovery_codes


@admin.register(PhoneDevice)
class PhoneDeviceAdmin(RecoveryCodesColumn, FailureActionsMixin, NumberLookupsRefused):
    """Devices are added only through enrollment, which proves the phone (E1); support
    can relabel, change the channel or language, and remove a lost phone.

    Removing (the delete page or the list's delete action; the phone's delete
    permission is enough) is the user's own removal without the user's checks: the
    phone's live codes are cancelled at the provider, so a sign-in waiting for one
    of them cannot complete with it; its challenges and the audit trail stay. The
    confirmation pages say so (templates/admin/tyntec2fa/phonedevice/).
    """

    list_display = [
        "user",
        "masked_number",
        "label",
        "is_primary",
        "confirmed",
        "channel",
        "created_at",
        "last_used_at",
        "recovery_codes",
    ]
    list_filter = ["confirmed", "is_primary", "channel"]
    list_select_related = ["user"]
    # The number: support types the last digits the user reads out, or the whole number;
    # the result list still shows only the masked number (admin/lookups.py).
    search_fields = ["user__username", "user__email"]
    number_search = "number"
    date_hierarchy = "created_at"
    actions = [unlock_accounts, reset_failures, revoke_recovery_codes]
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
        "recovery_codes",
    ]
    readonly_fields = [
        "user",
        "masked_number",
        "is_primary",
        "confirmed",
        "created_at",
        "last_used_at",
        "recovery_codes",
    ]

    @admin.display(description=_("phone number"), ordering="number")
    def masked_number(self, obj: PhoneDevice) -> str:
        return obj.masked_number

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        """Remove the phone as its user would, without the user's checks."""
        assert isinstance(obj, PhoneDevice)  # noqa: S101  (ModelAdmin typing is generic)
        self._remove(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """The list's delete action: each phone as ``delete_model`` removes one."""
        for device in queryset.select_related("user"):
            self._remove(request, device)

    def _remove(self, request: HttpRequest, device: PhoneDevice) -> None:
        cancelled = support.remove_device(request, device)
        if cancelled is not None:
            warn_provider_errors(self, request, cancelled)
