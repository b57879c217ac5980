"""Challenges in the admin: read-only, filterable, and cancellable at the provider.
A challenge whose phone was removed stays, as a record, without its device."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..flows import support
from ..models import Challenge
from .base import ReadOnlyAdmin, warn_provider_errors
from .lookups import NumberLookupsRefused


@admin.action(description=_("Cancel at the provider"), permissions=["cancel"])
def cancel_challenges(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]
) -> None:
    """Cancel each selected pending challenge here and delete its OTP at the provider."""
    result = support.cancel_challenges(request, list(queryset.values_list("pk", flat=True)))
    warn_provider_errors(modeladmin, request, result)
    if result.count:
        text = ngettext(
            "%(count)d challenge cancelled.", "%(count)d challenges cancelled.", result.count
        )
        modeladmin.message_user(request, text % {"count": result.count}, messages.SUCCESS)
    else:
        modeladmin.message_user(
            request, _("None of the selected challenges was pending."), messages.INFO
        )


@admin.register(Challenge)
class ChallengeAdmin(NumberLookupsRefused, ReadOnlyAdmin):
    """What the flows did; nothing here is edited by hand."""

    list_display = [
        "id",
        "user",
        "purpose",
        "status",
        "channel",
        "device",
        "attempts",
        "max_attempts",
        "resend_count",
        "created_at",
        "expires_at",
    ]
    list_filter = ["status", "purpose", "channel"]
    list_select_related = ["user", "device"]
    search_fields = ["user__username", "user__email"]
    date_hierarchy = "created_at"
    actions = [cancel_challenges]
    # The provider OTP id is not a secret without the API key; support quotes it to tyntec.
    readonly_fields = [
        "user",
        "device",
        "purpose",
        "status",
        "channel",
        "provider_otp_id",
        "attempts",
        "max_attempts",
        "resend_count",
        "created_at",
        "last_sent_at",
        "voice_fallback_at",  # the automatic call instead of a failed SMS (issue 13)
        "expires_at",
        "finished_at",
    ]
    fields = readonly_fields

    def has_cancel_permission(self, request: HttpRequest) -> bool:
        """Cancelling changes the challenge, so it needs the change permission."""
        return request.user.has_perm("tyntec2fa.change_challenge")
