"""Read-only records: the audit trail, failure counters and the local provider's OTPs."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ..choices import Channel
from ..models import AuditEvent, FailureCounter, LocalOtp
from ..providers import mask_number
from .base import FailureActionsMixin, ReadOnlyAdmin, reset_failures, unlock_accounts
from .lookups import NumberLookupsRefused


class AuditChannelFilter(admin.SimpleListFilter):
    """The audit trail's channel by name, and the events without one (a lockout, a
    provider error) as "no channel": Django's filter of a field without choices lists
    the stored values, the empty one as a link without text (issue 23.15)."""

    title = _("channel")
    parameter_name = "channel"
    #: The query-string value of "no channel" (the stored value is empty).
    NONE = "none"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [*Channel.choices, (self.NONE, _("no channel"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(channel="" if value == self.NONE else value)


@admin.register(AuditEvent)
class AuditEventAdmin(NumberLookupsRefused, ReadOnlyAdmin):
    """The audit trail is append-only: no one adds, edits or deletes a row here (L8)."""

    list_display = ["created_at", "kind", "user", "ip", "channel", "number", "challenge_id"]
    list_filter = ["kind", AuditChannelFilter]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email", "ip"]
    number_search = "number"
    number_search_masked = True
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "kind",
        "user",
        "ip",
        "user_agent",
        "channel",
        "number",
        "challenge_id",
        "detail",
    ]
    readonly_fields = fields


@admin.register(FailureCounter)
class FailureCounterAdmin(FailureActionsMixin, ReadOnlyAdmin):
    """Accounts with second-factor failures; the actions unlock or reset them."""

    list_display = ["user", "failures", "locked", "blocked_until", "last_failure_at"]
    list_filter = ["locked"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email"]
    actions = [unlock_accounts, reset_failures]
    fields = ["user", "failures", "locked", "blocked_until", "last_failure_at"]
    readonly_fields = fields


@admin.register(LocalOtp)
class LocalOtpAdmin(NumberLookupsRefused, ReadOnlyAdmin):
    """The local provider's OTPs. The code hash is never shown (G3), the number masked."""

    list_display = [
        "otp_id",
        "masked_number",
        "status",
        "channel",
        "attempt_count",
        "max_attempts",
        "created",
        "expires",
    ]
    list_filter = ["status", "channel"]
    search_fields = ["=otp_id"]
    number_search = "number"
    date_hierarchy = "created"
    fields = [
        "otp_id",
        "masked_number",
        "status",
        "channel",
        "language",
        "pin_length",
        "attempt_count",
        "max_attempts",
        "created",
        "expires",
        "application_id",
        "reference_id",
        "events",
    ]
    readonly_fields = fields

    @admin.display(description=_("number"), ordering="number")
    def masked_number(self, obj: LocalOtp) -> str:
        return mask_number(obj.number)
