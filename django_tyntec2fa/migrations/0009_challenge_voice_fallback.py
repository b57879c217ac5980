# The automatic voice fallback (docs/flows.md): when the app called a phone by itself
# because the SMS was not delivered; the conditional UPDATE on it places one call per
# challenge.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tyntec2fa", "0008_recovery_and_trust"),
    ]

    operations = [
        migrations.AddField(
            model_name="challenge",
            name="voice_fallback_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="voice fallback placed"
            ),
        ),
    ]
