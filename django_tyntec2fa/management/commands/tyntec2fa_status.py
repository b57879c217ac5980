"""``manage.py tyntec2fa_status <username>``: a user's second factor at a glance
(support). ``--number <E.164>``: the conversion counts of a number's country and
prefix (P4), which live in the cache. ``--blocks``: the active destination blocks and
the prefixes, accounts and IPs behind each. ``--provider``: the circuit breaker's state
and whether the provider answers (docs/faults.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ...abuse import conversion
from ...abuse.phone import normalize_number
from ...conf import app_settings
from ...core import policy
from ...exceptions import DeviceError
from ...models import Challenge, DestinationBlock, FailureCounter, PhoneDevice
from ...providers.base import mask_number
from ...providers.tyntec import breaker
from ...providers.tyntec.health import provider_health
from . import get_user


def _when(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S %Z") if moment else "never"


class Command(BaseCommand):
    help = (
        "Show a user's phones (masked), lock state, failure count and live challenges; "
        "with --number, the conversion counts of a number's country and prefix."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?")
        parser.add_argument("--number", help="an E.164 number: its conversion counts (P4)")
        parser.add_argument(
            "--blocks", action="store_true", help="the active destination blocks and why (P4)"
        )
        parser.add_argument(
            "--provider",
            action="store_true",
            help="the circuit breaker's state and whether the provider answers",
        )

    def handle(
        self,
        *args: Any,
        username: str | None,
        number: str | None,
        blocks: bool = False,
        provider: bool = False,
        **options: Any,
    ) -> None:
        if provider:
            self._provider()
        if number:
            self._conversion(number)
        if blocks:
            self._blocks()
        if username:
            self._user(username)
        elif not number and not blocks and not provider:
            raise CommandError("Name a username, a number with --number, --blocks or --provider.")

    def _provider(self) -> None:
        state = breaker.state()
        line = f"Circuit breaker: {state.name}, {state.failures} failure(s) in a row"
        if state.retry_after is not None:
            line += f", a probe in {state.retry_after} s"
        self.stdout.write(line)
        health = provider_health()
        self.stdout.write(f"Provider: {health.summary}")
        if not health.ok:
            raise CommandError(f"The provider does not answer: {health.summary}")

    def _blocks(self) -> None:
        active = DestinationBlock.objects.filter(until__gt=timezone.now())
        self.stdout.write(f"Active destination blocks: {len(active)}")
        for block in active:
            self.stdout.write(
                f"  - {block.scope} {block.value}, level {block.level}, "
                f"until {_when(block.until)} (lift it in the admin)"
            )
            for line in conversion.describe_reasons(block).splitlines():
                self.stdout.write(f"      {line}")

    def _conversion(self, number: str) -> None:
        try:
            normalized = normalize_number(number)
        except DeviceError as error:
            raise CommandError(str(error.message)) from None
        window = app_settings.CONVERSION_WINDOW
        self.stdout.write(f"Conversion of {mask_number(normalized)} over the last {window} s:")
        for (scope, value), (sent, verified) in conversion.counts(normalized).items():
            self.stdout.write(f"  - {scope} {value}: {verified} of {sent} code(s) verified")

    def _user(self, username: str) -> None:
        user = get_user(username)
        out = self.stdout
        required = "yes" if policy.requires_second_factor(user) else "no"
        out.write(f"User: {username} (id {user.pk}); second factor required: {required}")
        devices = PhoneDevice.objects.filter(user=user)
        out.write(f"Phones: {len(devices)}")
        for device in devices:
            flags = ", ".join(
                flag
                for flag, on in (("primary", device.is_primary), ("confirmed", device.confirmed))
                if on
            )
            out.write(
                f"  - {device.masked_number} {device.label!r} [{flags or 'unconfirmed'}] "
                f"{device.channel}, last used {_when(device.last_used_at)}"
            )
        counter = FailureCounter.objects.filter(user=user).first()
        if counter is None:
            out.write("Failures: 0; not locked")
        else:
            state = "LOCKED" if counter.locked else "not locked"
            if counter.blocked_until and counter.blocked_until > timezone.now():
                state += f", waiting until {_when(counter.blocked_until)}"
            out.write(f"Failures: {counter.failures}; {state}")
        live = [
            c
            for c in Challenge.objects.filter(
                user=user, status=Challenge.Status.PENDING
            ).select_related("device")
            if c.is_live()
        ]
        out.write(f"Live challenges: {len(live)}")
        for challenge in live:
            out.write(
                f"  - #{challenge.pk} {challenge.purpose} by {challenge.channel} to "
                f"{challenge.device.masked_number}, attempts {challenge.attempts}/"
                f"{challenge.max_attempts}, expires {_when(challenge.expires_at)}"
            )
