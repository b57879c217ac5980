"""The rules of the second factor, in one place: the HTML views, the admin and the
API are thin layers over these functions (``from django_tyntec2fa import flows``).

- challenges: ``live_challenge``, ``start``, ``resend``, ``send_code`` (which of the
  two a "send me a code" asks for), ``verify``, ``cancel``, ``cooldown_seconds``;
- devices: ``enroll``, ``confirm``, ``remove``, ``make_primary``;
- the support desk's actions (the admin, the management commands): ``support``;
- recovery codes (generate, use at sign-in, revoke, status): ``recovery``;
- the tyntec application and the settings (``manage.py tyntec2fa_application``):
  ``application``;
- the login: ``admit_password`` (the password step's limits), ``decide`` (what a
  password login owes, ``Owed``), ``password_login``,
  ``owe_second_factor``, ``begin_login``,
  ``verify_login``, ``send_login_code``, ``resend_login_code``, ``step_up``,
  ``send_step_up_code``, ``enrolling_user``, ``abort_login``, ``end_challenges``,
  ``login_refusal`` (why the password step sent no code).

See docs/flows.md for the flows, the signals, the lockout ladder and the rate limits.
"""

from . import application, recovery, support
from .challenge import cancel, live_challenge, resend, send_code, start
from .codes import normalize_code
from .devices import confirm, enroll, make_primary, remove
from .login import (
    Enrolling,
    Owed,
    PasswordStep,
    abort_login,
    admit_password,
    begin_login,
    decide,
    end_challenges,
    enrolling_user,
    owe_second_factor,
    password_login,
    resend_login_code,
    send_login_code,
    send_step_up_code,
    step_up,
    verify_login,
)
from .refusals import SendRefusal, login_refusal
from .rules import cooldown_seconds
from .verify import verify

__all__ = [
    "Enrolling",
    "Owed",
    "PasswordStep",
    "SendRefusal",
    "abort_login",
    "admit_password",
    "application",
    "begin_login",
    "cancel",
    "confirm",
    "decide",
    "cooldown_seconds",
    "end_challenges",
    "enroll",
    "enrolling_user",
    "live_challenge",
    "login_refusal",
    "make_primary",
    "normalize_code",
    "owe_second_factor",
    "password_login",
    "recovery",
    "remove",
    "resend",
    "resend_login_code",
    "send_code",
    "send_login_code",
    "send_step_up_code",
    "start",
    "step_up",
    "support",
    "verify",
    "verify_login",
]
