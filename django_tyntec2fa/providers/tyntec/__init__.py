"""tyntec's 2FA API: the provider and everything only it needs.

- ``client``: ``TyntecProvider`` (``TYNTEC2FA_PROVIDER =
  "django_tyntec2fa.providers.tyntec.TyntecProvider"``);
- ``answers`` and ``parse``: what tyntec's answers mean, read strictly;
- ``application``: the tyntec application's settings (``tyntec2fa_application``);
- ``http``: the HTTP session, its retries and the log redaction;
- ``breaker``: the circuit breaker around tyntec (docs/faults.md);
- ``health``: does the provider answer?
"""

from .client import TyntecProvider

__all__ = ["TyntecProvider"]
