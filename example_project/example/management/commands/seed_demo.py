"""Create the demo user and their phone (idempotent: re-running resets both)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from django_tyntec2fa.models import PhoneDevice

USERNAME = "demo"
PASSWORD = "demo-pass-2fa"
NUMBER = "+4915123456789"
LABEL = "Demo phone"
#: Where the demo's security notices go (docs/recovery.md): the console by default.
EMAIL = "demo@example.com"


class Command(BaseCommand):
    help = (
        f"Create or reset the demo superuser '{USERNAME}' (password '{PASSWORD}', email "
        f"{EMAIL}) with the confirmed primary phone {NUMBER}."
    )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        user, created = get_user_model().objects.get_or_create(username=USERNAME)
        user.is_staff = user.is_superuser = user.is_active = True
        user.email = EMAIL
        user.set_password(PASSWORD)
        user.save()
        # Any other primary phone steps back first: one primary per user (a DB constraint).
        PhoneDevice.objects.filter(user=user, is_primary=True).exclude(number=NUMBER).update(
            is_primary=False
        )
        PhoneDevice.objects.update_or_create(
            user=user,
            number=NUMBER,
            defaults={"label": LABEL, "confirmed": True, "is_primary": True},
        )
        verb = "Created" if created else "Reset"
        self.stdout.write(f"{verb} demo user: {USERNAME} / {PASSWORD}, phone {NUMBER} ({LABEL})")
