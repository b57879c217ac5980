"""One account per confirmed number (issue 23.8): two accounts that both enrolled a
number before either confirmed it could both confirm it. A site where that happened
must decide which account keeps the number before this constraint can hold, so the
migration stops and names the phones rather than choosing for the operator."""

from typing import Any

from django.db import migrations, models
from django.db.models import Count, Q


def refuse_shared_numbers(apps: Any, schema_editor: Any) -> None:
    """Stop with the ids of the confirmed phones whose number another account has
    confirmed too (never the numbers: the output ends up in deploy logs)."""
    devices = apps.get_model("tyntec2fa", "PhoneDevice")
    shared = (
        devices.objects.using(schema_editor.connection.alias)
        .filter(confirmed=True)
        .values("number")
        .annotate(owners=Count("id"))
        .filter(owners__gt=1)
        .values_list("number", flat=True)
    )
    ids = sorted(
        devices.objects.using(schema_editor.connection.alias)
        .filter(confirmed=True, number__in=list(shared))
        .values_list("pk", flat=True)
    )
    if ids:
        raise RuntimeError(
            "django_tyntec2fa 0011: these confirmed phones share their number with a "
            f"phone of another account: {ids}. Remove all but one of each number (the "
            "admin's phone devices, 'remove') and run migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [("tyntec2fa", "0010_challenge_latest_index")]

    operations = [
        migrations.RunPython(refuse_shared_numbers, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="phonedevice",
            constraint=models.UniqueConstraint(
                condition=Q(confirmed=True),
                fields=("number",),
                name="tyntec2fa_device_one_owner",
            ),
        ),
    ]
