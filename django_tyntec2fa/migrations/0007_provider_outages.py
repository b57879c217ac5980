# Provider outages: a challenge says when a code check at the provider is running (no
# transaction is open during that call), and the circuit breaker's opening and closing
# are audit events.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tyntec2fa", "0006_challenge_outlives_its_phone"),
    ]

    operations = [
        migrations.AddField(
            model_name="challenge",
            name="checking_until",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="code check running until"
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("challenge_sent", "Code sent"),
                    ("challenge_resent", "Code sent again"),
                    ("verified", "Second factor verified"),
                    ("failed", "Wrong code"),
                    ("challenge_expired", "Challenge expired"),
                    ("challenge_cancelled", "Challenge cancelled"),
                    ("account_locked", "Account locked"),
                    ("account_unlocked", "Account unlocked"),
                    ("device_added", "Phone added"),
                    ("device_confirmed", "Phone confirmed"),
                    ("device_removed", "Phone removed"),
                    ("device_primary", "Primary phone changed"),
                    ("rate_limited", "Rate limited"),
                    ("provider_error", "Provider error"),
                    ("disabled", "Two-factor authentication disabled"),
                    ("destination_refused", "Destination refused"),
                    ("destination_blocked", "Destination blocked"),
                    ("conversion_block", "Destination blocked for low conversion"),
                    ("send_budget_exhausted", "Send budget exhausted"),
                    ("number_lookup_failed", "Number lookup failed"),
                    ("breaker_opened", "Provider circuit breaker opened"),
                    ("breaker_closed", "Provider circuit breaker closed"),
                ],
                db_index=True,
                max_length=24,
                verbose_name="event",
            ),
        ),
    ]
