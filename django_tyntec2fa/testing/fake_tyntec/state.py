"""Everything the fake remembers between requests, behind one lock."""

from __future__ import annotations

import copy
import threading
import time

from .errors import UNKNOWN_APPLICATION, ApiError
from .faults import OPERATIONS, FaultBook
from .models import (
    DEFAULT_APPLICATION_ID,
    DEFAULT_VOICE_TEMPLATE,
    FakeApplication,
    FakeMessage,
    FakeOtp,
)
from .outcomes import DeliveryPlans

#: Kept so a long-running CLI fake cannot grow without bound.
MAX_OUTBOX = 10_000


class FakeState:
    """OTPs, applications, outbox, counters, faults and the clock of one fake account.

    Handlers run in parallel threads; they hold ``lock`` for a whole operation, so
    concurrent checks of one OTP are serialised like on a real server.
    """

    def __init__(self, account_id: str) -> None:
        self.lock = threading.RLock()
        self.account_id = account_id
        self.faults = FaultBook()
        self.deliveries = DeliveryPlans()
        self.outbox: list[FakeMessage] = []
        self._clock_offset = 0.0
        self.counters: dict[str, int] = dict.fromkeys(OPERATIONS, 0)
        self.connections = 0
        self.otps: dict[str, FakeOtp] = {}
        self.applications: dict[str, FakeApplication] = {}
        self._install_default_application()

    def _install_default_application(self) -> None:
        default = FakeApplication(
            application_id=DEFAULT_APPLICATION_ID, name="default", created_ms=self.now_ms()
        )
        default.template["en-voice"] = DEFAULT_VOICE_TEMPLATE
        self.applications = {DEFAULT_APPLICATION_ID: default}

    # -- clock ---------------------------------------------------------------------

    def now_ms(self) -> int:
        """The fake's clock in epoch milliseconds: wall time plus what tests advanced."""
        return int((time.time() + self._clock_offset) * 1000)

    def advance(self, seconds: float) -> None:
        """Move the clock forward; it never goes back, like a real server's."""
        if not seconds >= 0:  # also refuses NaN
            raise ValueError("the fake's clock only moves forward")
        with self.lock:
            self._clock_offset += seconds

    # -- bookkeeping ---------------------------------------------------------------

    def count(self, operation: str) -> None:
        """One more request for ``operation``."""
        with self.lock:
            self.counters[operation] += 1

    def count_connection(self) -> None:
        """One more accepted TCP connection."""
        with self.lock:
            self.connections += 1

    def record(self, message: FakeMessage) -> None:
        """Put a delivered message in the outbox."""
        with self.lock:
            self.outbox.append(message)
            del self.outbox[:-MAX_OUTBOX]

    def reset(self) -> None:
        """Back to a just-started account: only the default app, nothing sent, clock at now."""
        with self.lock:
            self.otps.clear()
            self.outbox.clear()  # in place: tests may hold the list
            self.counters.update(dict.fromkeys(OPERATIONS, 0))
            self.connections = 0
            self.faults.clear()
            self.deliveries.clear()
            self._clock_offset = 0.0
            self._install_default_application()

    # -- lookups -------------------------------------------------------------------

    def application(self, application_id: str, *, status: int = 404) -> FakeApplication:
        """The application by id ("default" names the default one), else ``ApiError``."""
        if application_id == "default":
            application_id = DEFAULT_APPLICATION_ID
        found = self.applications.get(application_id)
        if found is None:
            raise ApiError(status, UNKNOWN_APPLICATION, "ID is not valid for this application.")
        return found

    def snapshot_otps(self) -> dict[str, FakeOtp]:
        """Copies of the stored OTPs, safe to read while the server runs."""
        with self.lock:
            return copy.deepcopy(self.otps)

    def snapshot_applications(self) -> dict[str, FakeApplication]:
        """Copies of the applications."""
        with self.lock:
            return copy.deepcopy(self.applications)
