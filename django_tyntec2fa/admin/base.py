"""Building blocks shared by the app's ModelAdmins."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..flows import support
from .lookups import ShownFieldsOnly


class ReadOnlyAdmin(ShownFieldsOnly):
    """View-only: records of what happened are never edited, added or deleted by hand.

    They go only with what they belong to: deleting a user in the admin deletes their
    challenges and failure counter too. Django asks each related model's admin for the
    delete permission then, so the permission itself is the usual one (a superuser
    has it); what is refused is deleting a record on its own: no delete page, no
    delete action, no delete link.
    """

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest, action_location: Any = None) -> dict[str, Any]:
        """Every action but ``delete_selected``. ``action_location`` (the list or the
        change form) is Django 6.1's argument; Django 5.2 and 6.0 never pass it."""
        if action_location is None:
            actions = super().get_actions(request)
        else:
            actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """A record is never deleted on its own."""
        raise PermissionDenied

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> HttpResponse:
        """The record's page without a delete link."""
        context["show_delete"] = False
        return super().render_change_form(request, context, *args, **kwargs)


def _users(queryset: QuerySet[Any]) -> list[Any]:
    """Each selected row's user once, whatever the number of rows per user."""
    users: dict[Any, Any] = {}
    for obj in queryset.select_related("user"):
        users.setdefault(obj.user_id, obj.user)
    return list(users.values())


def warn_provider_errors(
    modeladmin: admin.ModelAdmin, request: HttpRequest, cancelled: support.Cancelled
) -> None:
    """One warning per code the provider did not delete: it is dead here, but the
    provider would still accept it until it expires."""
    for pk, error in sorted(cancelled.provider_errors.items()):
        modeladmin.message_user(
            request,
            _(
                "Challenge %(id)s is cancelled here, but the provider did not delete "
                "its code (%(error)s); it stays valid there until it expires."
            )
            % {"id": pk, "error": error.code},
            messages.WARNING,
        )


def _report(modeladmin: admin.ModelAdmin, request: HttpRequest, done: int, text: str) -> None:
    if done:
        modeladmin.message_user(request, text, messages.SUCCESS)
    else:
        modeladmin.message_user(request, _("Nothing to do for the selected rows."), messages.INFO)


@admin.action(description=_("Unlock the account"), permissions=["manage_failures"])
def unlock_accounts(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]
) -> None:
    """Lift the lock and backoff wait of each selected row's user and zero the counter."""
    done = sum(support.unlock_account(request, user) for user in _users(queryset))
    text = ngettext("%(count)d account unlocked.", "%(count)d accounts unlocked.", done)
    _report(modeladmin, request, done, text % {"count": done})


@admin.action(description=_("Reset failures"), permissions=["manage_failures"])
def reset_failures(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]
) -> None:
    """Zero the counter of each selected row's user; a locked account needs an unlock."""
    done = sum(support.reset_failures(request, user) for user in _users(queryset))
    text = ngettext(
        "Failures reset for %(count)d account.", "Failures reset for %(count)d accounts.", done
    )
    _report(modeladmin, request, done, text % {"count": done})


class FailureActionsMixin:
    """Offers the two account actions; ``permissions=["manage_failures"]`` looks here."""

    def has_manage_failures_permission(self, request: HttpRequest) -> bool:
        """Unlocking changes the failure counter, whichever admin page offers it."""
        return request.user.has_perm("tyntec2fa.change_failurecounter")
