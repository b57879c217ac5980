"""``manage.py tyntec2fa_cleanup``: expire stale challenges and delete old rows in batches.

Run it from cron (daily is enough). Deleting in batches keeps each transaction short, so
the tables stay usable for sign-ins while a large backlog is removed.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Model, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from ...abuse import conversion
from ...models import AuditEvent, Challenge


def delete_in_batches(queryset: QuerySet[Any], batch_size: int) -> int:
    """Delete the rows of ``queryset`` ``batch_size`` at a time; returns the number deleted.

    The number of rounds is fixed up front, so rows that keep arriving cannot keep the
    loop going; a later run picks them up.
    """
    model: type[Model] = queryset.model
    rounds = math.ceil(queryset.count() / batch_size)
    deleted = 0
    for _ in range(rounds):
        pks = list(queryset.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not pks:
            break
        count, _per_model = model._default_manager.filter(pk__in=pks).delete()
        deleted += count
    return deleted


class Command(BaseCommand):
    help = (
        "Mark pending challenges past their expiry as expired, delete finished challenges "
        "older than --days and audit events older than --audit-days, in batches."
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
        now = timezone.now()
        expired = Challenge.objects.filter(
            status=Challenge.Status.PENDING, expires_at__lte=now
        ).update(status=Challenge.Status.EXPIRED, finished_at=now)
        # A challenge is finished when it left PENDING; one that never got a finish time
        # counts from its expiry.
        old_challenges = (
            Challenge.objects.exclude(status=Challenge.Status.PENDING)
            .alias(ended=Coalesce("finished_at", "expires_at"))
            .filter(Q(ended__lt=now - dt.timedelta(days=days)))
        )
        challenges = delete_in_batches(old_challenges, batch_size)
        old_audit = AuditEvent.objects.filter(created_at__lt=now - dt.timedelta(days=audit_days))
        audit = delete_in_batches(old_audit, batch_size)
        # Blocks too old to escalate (P4); the conversion counts expire in the cache.
        blocks = conversion.prune()
        self.stdout.write(f"Expired {expired} pending challenge(s).")
        self.stdout.write(f"Deleted {challenges} challenge(s) older than {days} day(s).")
        self.stdout.write(f"Deleted {audit} audit event(s) older than {audit_days} day(s).")
        self.stdout.write(f"Deleted {blocks} stale conversion block(s).")
