"""The fake tyntec for ``bench_load``, issuing one known code (``CODE``) for every OTP,
so the load driver can verify without reading an outbox. Otherwise the fake as
shipped: ``python -m benchmarks.fake_fixed --port 0 --api-key KEY``."""

from __future__ import annotations

import sys

from django_tyntec2fa.testing.fake_tyntec import __main__ as fake_main
from django_tyntec2fa.testing.fake_tyntec import otp_service

CODE = "246813579024"


def fixed_code(length: int, *, alphanumeric: bool) -> str:
    """The first ``length`` characters of ``CODE`` (digits, valid for any PIN length)."""
    return CODE[:length]


if __name__ == "__main__":
    otp_service.generate_code = fixed_code
    sys.exit(fake_main.main())
