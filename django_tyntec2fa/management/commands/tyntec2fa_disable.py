"""``manage.py tyntec2fa_disable <username> [--yes]``: turn a user's second factor off.

For the support desk when a user lost their phone: live challenges are cancelled (at
the provider too), every phone is removed as in the admin, the recovery codes are
removed and the failure counter is cleared; the challenges and the audit trail stay. The user signs in with the password
alone afterwards, or is sent to enrollment when the policy requires a second factor.
The work is ``flows.support.disable``'s.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...core import policy
from ...flows import support
from ...models import PhoneDevice
from . import get_user


class Command(BaseCommand):
    help = "Remove a user's phones, cancel their challenges and reset their failure counter."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args: Any, username: str, yes: bool, **options: Any) -> None:
        user = get_user(username)
        phones = PhoneDevice.objects.filter(user=user).count()
        if not yes:
            answer = input(
                f"Disable two-factor authentication for {username!r} and delete "
                f"{phones} phone(s)? Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Aborted; nothing was changed.")
        result = support.disable(None, user)
        self.stdout.write(
            f"Disabled two-factor authentication for {username!r}: "
            f"{result.devices_removed} phone(s) removed, "
            f"{result.cancelled.count} challenge(s) cancelled, "
            f"{result.recovery_codes_revoked} unused recovery code(s) removed, "
            f"{result.browsers_revoked} trusted browser(s) forgotten."
        )
        for pk, error in sorted(result.cancelled.provider_errors.items()):
            self.stderr.write(
                f"Warning: the provider did not delete the code of challenge {pk} "
                f"({error.code}); it stays valid there until it expires."
            )
        if policy.requires_second_factor(user):
            self.stdout.write(
                "The policy requires a second factor: the next sign-in enrolls a phone."
            )
