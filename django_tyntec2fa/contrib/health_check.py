"""A django-health-check check for tyntec (the ``django-tyntec2fa[health]`` extra).

Add it to the checks of django-health-check's view::

    from health_check.views import HealthCheckView

    path("health/", HealthCheckView.as_view(checks=[
        "health_check.checks.Cache",
        "health_check.checks.Database",
        "django_tyntec2fa.contrib.health_check.Tyntec",
    ]))

It reports the circuit breaker's state and, unless ``ask_provider=False``
(``("django_tyntec2fa.contrib.health_check.Tyntec", {"ask_provider": False})``), whether tyntec answers
one cheap read (``GET /application``: no code is sent). The same as
``manage.py tyntec2fa_status --provider``.

Use it for monitoring, not as a load balancer's readiness probe: while tyntec is down the
rest of the site works, and taking the site out of rotation would take everything down.
"""

from __future__ import annotations

import dataclasses
import datetime

from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from ..providers.tyntec import breaker
from ..providers.tyntec.health import provider_health


@dataclasses.dataclass
class Tyntec(HealthCheck):
    """Unavailable while the circuit breaker is open or tyntec does not answer."""

    ask_provider: bool = True
    #: One provider call, at most connect + read timeout (2.05 + 4 s by default).
    timeout = datetime.timedelta(seconds=7)

    def run(self) -> None:
        state = breaker.state()
        if state.name == "open":
            raise ServiceUnavailable(
                f"circuit breaker open after {state.failures} failures; "
                f"a probe in {state.retry_after} s"
            )
        if not self.ask_provider:
            return
        health = provider_health()
        if not health.ok:
            raise ServiceUnavailable(health.summary)
