"""OpenAPI annotations of every endpoint: request and answer serializers, with examples
of the requests, the answers and the refusals (``api/examples.py``).

Each name here decorates one view method. Without drf-spectacular they are no-ops
(``api/schema.py``). Every operation also documents a ``default`` answer in the error
shape: whatever status a refusal has (405, 406, 415, ...), its body is an ``Error``.
"""

from .devices import (
    device_add,
    device_confirm,
    device_delete,
    device_get,
    device_list,
    device_primary,
    step_up_send,
    step_up_verify,
)
from .login import (
    challenge_cancel,
    challenge_get,
    challenge_resend,
    challenge_send,
    challenge_verify,
    login_get,
    login_post,
    logout,
)
from .recovery import challenge_recover, recovery_generate, recovery_status
from .trust import trusted_browser_delete, trusted_browser_list

__all__ = [
    "challenge_cancel",
    "challenge_get",
    "challenge_recover",
    "challenge_resend",
    "challenge_send",
    "challenge_verify",
    "device_add",
    "device_confirm",
    "device_delete",
    "device_get",
    "device_list",
    "device_primary",
    "login_get",
    "login_post",
    "logout",
    "recovery_generate",
    "recovery_status",
    "step_up_send",
    "step_up_verify",
    "trusted_browser_delete",
    "trusted_browser_list",
]
