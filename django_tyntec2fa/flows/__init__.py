"""The rules of the second factor, in one place: the HTML views, the admin and the
API are thin layers over these functions (``from django_tyntec2fa import flows``).

- challenges: ``live_challenge``, ``start``, ``resend``, ``verify``, ``cancel``;
- devices: ``enroll``, ``confirm``, ``remove``, ``make_primary``;
- the login: ``password_login``, ``begin_login``, ``verify_login``, ``send_login_code``,
  ``resend_login_code``, ``step_up``, ``send_step_up_code``, ``abort_login``,
  ``end_challenges``.

See docs/flows.md for the flows, the signals, the lockout ladder and the rate limits.
"""

from .challenge import cancel, live_challenge, resend, start
from .codes import normalize_code
from .devices import confirm, enroll, make_primary, remove
from .login import (
    PasswordStep,
    abort_login,
    begin_login,
    end_challenges,
    password_login,
    resend_login_code,
    send_login_code,
    send_step_up_code,
    step_up,
    verify_login,
)
from .verify import verify

__all__ = [
    "PasswordStep",
    "abort_login",
    "begin_login",
    "cancel",
    "confirm",
    "end_challenges",
    "enroll",
    "live_challenge",
    "make_primary",
    "normalize_code",
    "password_login",
    "remove",
    "resend",
    "resend_login_code",
    "send_login_code",
    "send_step_up_code",
    "start",
    "step_up",
    "verify",
    "verify_login",
]
