"""``manage.py tyntec2fa_cleanup``: expire stale challenges and delete old rows in batches.

Run it from cron (daily is enough). Deleting in batches keeps each transaction short, so
the tables stay usable for sign-ins while a large backlog is removed. The work is
``flows.support.clean_up``'s; this command parses the arguments and prints the counts.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...flows import support


class Command(BaseCommand):
    help = (
        "Mark pending challenges past their expiry as expired, delete finished challenges "
        "older than --days and audit events older than --audit-days, and expired trusted "
        "browsers, in batches."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days", type=int, default=7, help="Keep finished challenges this long (default 7)."
        )
        parser.add_argument(
            "--audit-days",
            type=int,
            default=365,
            help="Keep audit events this long (default 365).",
        )
        parser.add_argument(
            "--batch-size", type=int, default=1000, help="Rows per delete (default 1000)."
        )

    def handle(
        self, *args: Any, days: int, audit_days: int, batch_size: int, **options: Any
    ) -> None:
        if days < 0 or audit_days < 0:
            raise CommandError("--days and --audit-days must be 0 or more.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        done = support.clean_up(days=days, audit_days=audit_days, batch_size=batch_size)
        self.stdout.write(f"Expired {done.expired} pending challenge(s).")
        self.stdout.write(
            f"Deleted {done.challenges_deleted} challenge(s) older than {days} day(s)."
        )
        self.stdout.write(
            f"Deleted {done.audit_events_deleted} audit event(s) older than {audit_days} day(s)."
        )
        self.stdout.write(f"Deleted {done.blocks_deleted} stale conversion block(s).")
        self.stdout.write(f"Deleted {done.browsers_deleted} expired trusted browser(s).")
