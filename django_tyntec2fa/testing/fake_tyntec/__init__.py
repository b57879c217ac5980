"""A fake tyntec 2FA API v1 server for tests and local development (standard library only).

::

    from django_tyntec2fa.testing.fake_tyntec import FakeTyntec, Fault

    with FakeTyntec(api_key="test-key") as fake:
        ...  # point TYNTEC2FA_API_URL at fake.url; read fake.outbox for the codes

Run it standalone with ``python -m django_tyntec2fa.testing.fake_tyntec``. It never
imports Django. Behaviour and deliberate choices: docs/fake_tyntec.md.
"""

from .faults import KINDS, OPERATIONS, Fault
from .models import DEFAULT_APPLICATION_ID, FakeApplication, FakeMessage, FakeOtp, OtpState
from .outcomes import OUTCOMES, DeliveryPlan
from .server import FakeTyntec

__all__ = [
    "DEFAULT_APPLICATION_ID",
    "KINDS",
    "OPERATIONS",
    "OUTCOMES",
    "DeliveryPlan",
    "FakeApplication",
    "FakeMessage",
    "FakeOtp",
    "FakeTyntec",
    "Fault",
    "OtpState",
]
