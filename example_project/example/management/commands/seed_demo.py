"""Create the demo user (idempotent)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

USERNAME = "demo"
PASSWORD = "demo-password"


class Command(BaseCommand):
    help = "Create the demo user 'demo' (password 'demo-password') if it does not exist."

    def handle(self, *args: Any, **options: Any) -> None:
        user, created = get_user_model().objects.get_or_create(
            username=USERNAME, defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            user.set_password(PASSWORD)
            user.save()
        verb = "Created" if created else "Found"
        self.stdout.write(f"{verb} demo user: {USERNAME} / {PASSWORD}")
