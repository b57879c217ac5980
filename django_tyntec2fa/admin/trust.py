"""Trusted browsers (S9) for the support desk: who trusts which browser since when,
never the secret's hash or the password binding; the action "revoke" forgets them
(the user's next sign-in on those browsers asks for a code)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..flows import trust
from ..models import TrustedBrowser
from .base import ReadOnlyAdmin, _report


@admin.action(description=_("Revoke the trust"), permissions=["delete"])
def revoke_browsers(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]
) -> None:
    """Forget each selected browser through the flow: audited and signalled."""
    done = sum(
        trust.revoke(request, browser.user, reason=trust.OPERATOR, pk=browser.pk)
        for browser in queryset.select_related("user")
    )
    text = ngettext("%(count)d browser revoked.", "%(count)d browsers revoked.", done)
    _report(modeladmin, request, done, text % {"count": done})


@admin.register(TrustedBrowser)
class TrustedBrowserAdmin(ReadOnlyAdmin):
    """Read-only rows; revoking is the one change, and it needs the delete permission."""

    list_display = ["user", "description", "created_at", "last_used_at", "expires_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email"]
    date_hierarchy = "created_at"
    actions = [revoke_browsers]
    # Never secret_digest nor auth_digest (G3).
    fields = ["user", "description", "created_at", "last_used_at", "expires_at"]
    readonly_fields = fields
