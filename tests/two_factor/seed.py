"""``python -m tests.two_factor.seed``: the site's people (DJANGO_SETTINGS_MODULE set).

One user signs in with an SMS phone, one with a call phone, one has no phone yet.
"""

from __future__ import annotations

import django

PASSWORD = "a-long-two-factor-password"
SMS_USER, SMS_NUMBER = "sms-user", "+4915123456789"
CALL_USER, CALL_NUMBER = "call-user", "+4915123456780"
NEW_USER = "new-user"


def seed() -> None:
    """Create the users and their confirmed default phones."""
    from django.contrib.auth import get_user_model
    from two_factor.plugins.phonenumber.models import PhoneDevice

    users = get_user_model()
    for username, number, method in (
        (SMS_USER, SMS_NUMBER, "sms"),
        (CALL_USER, CALL_NUMBER, "call"),
    ):
        user = users.objects.create_user(username, password=PASSWORD)
        PhoneDevice.objects.create(
            user=user, name="default", number=number, method=method, confirmed=True
        )
    users.objects.create_user(NEW_USER, password=PASSWORD)


if __name__ == "__main__":
    django.setup()
    seed()
