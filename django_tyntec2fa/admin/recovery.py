"""Recovery codes for the support desk (issue 11): how many a user has left and when the
set was made, never a code or its hash (G4); the action "Revoke recovery codes" goes
through ``flows.recovery.revoke`` (audited, signalled) and needs the codes' delete
permission.

Two places show them: a column on the phones list (one row per phone, the user's
count and date, read in the list's one query) and a read-only list of the codes' rows
(user, made, used), grouped by user."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..flows import recovery, support
from ..models import RecoveryCode
from .base import ReadOnlyAdmin, _report, _users


@admin.action(description=_("Revoke recovery codes"), permissions=["revoke_recovery"])
def revoke_recovery_codes(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]
) -> None:
    """Remove every recovery code of each selected row's user, through the flow."""
    by = support.operator(request)
    users = _users(queryset)
    done = sum(1 for user in users if recovery.status(user).generated_at is not None)
    for user in users:
        recovery.revoke(user, request=request, actor=by)
    text = ngettext(
        "Recovery codes revoked for %(count)d account.",
        "Recovery codes revoked for %(count)d accounts.",
        done,
    )
    _report(modeladmin, request, done, text % {"count": done})


class RecoveryCodesColumn:
    """For an admin of rows with a ``user``: the user's recovery codes as a column and a
    read-only field, and the "revoke" action. Counted in the list's query (subqueries),
    not one query per row."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        """The rows with the user's unused count and the set's date."""
        codes = RecoveryCode.objects.filter(user_id=OuterRef("user_id")).order_by()
        left = codes.values("user_id").annotate(n=Count("pk", filter=Q(used_at__isnull=True)))
        made = codes.values("user_id").annotate(at=Max("created_at"))
        return (
            super()  # type: ignore[misc]
            .get_queryset(request)
            .annotate(
                recovery_left=Coalesce(
                    Subquery(left.values("n")[:1]), 0, output_field=IntegerField()
                ),
                recovery_made=Subquery(made.values("at")[:1]),
            )
        )

    @admin.display(description=_("recovery codes"))
    def recovery_codes(self, obj: Any) -> str:
        """ "9 left (made 1 Jan 2025, 12:00)", or "none"."""
        made = getattr(obj, "recovery_made", None)
        if made is None:
            return str(_("none"))
        left = getattr(obj, "recovery_left", 0)
        when = formats.date_format(made, "SHORT_DATETIME_FORMAT")
        return ngettext(
            "%(count)d left (made %(date)s)", "%(count)d left (made %(date)s)", left
        ) % {"count": left, "date": when}

    def has_revoke_recovery_permission(self, request: HttpRequest) -> bool:
        """Revoking deletes the codes' rows."""
        return bool(request.user.has_perm("tyntec2fa.delete_recoverycode"))


@admin.register(RecoveryCode)
class RecoveryCodeAdmin(ReadOnlyAdmin):
    """One row per code, user by user: when it was made and when it was used. Never
    the code's hash (``digest``): not a column, a field, a filter or a search."""

    list_display = ["user", "created_at", "used_at"]
    list_filter = [("used_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email"]
    ordering = ["user_id", "pk"]
    actions = [revoke_recovery_codes]
    fields = ["user", "created_at", "used_at"]
    readonly_fields = fields

    def has_revoke_recovery_permission(self, request: HttpRequest) -> bool:
        """Revoking deletes the codes' rows."""
        return bool(request.user.has_perm("tyntec2fa.delete_recoverycode"))
