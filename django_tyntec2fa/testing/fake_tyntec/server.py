"""``FakeTyntec``: the fake tyntec 2FA v1 server on a background thread."""

from __future__ import annotations

import socket
import sys
import threading
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Any

from .faults import Fault
from .handler import FakeTyntecHandler, logger
from .models import FakeApplication, FakeMessage, FakeOtp
from .outcomes import DeliveryPlan
from .state import FakeState

_POLL_INTERVAL = 0.05  # how quickly serve_forever notices stop(); tests start many fakes


class FakeHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that counts connections and can cut them all on stop."""

    daemon_threads = True
    block_on_close = False  # stop() closes connections itself; see close_connections()

    def __init__(self, address: tuple[str, int], state: FakeState, api_key: str) -> None:
        self.state = state
        self.api_key = api_key
        self.stopping = threading.Event()
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, FakeTyntecHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Count and remember every accepted connection."""
        self.state.count_connection()
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        """Forget a connection when its handler is done with it."""
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Cut every open connection, so idle keep-alive sockets do not outlive the fake."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by its handler

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Log instead of printing a traceback to stderr."""
        error = sys.exc_info()[1]
        if isinstance(error, OSError):  # a client went away; routine for a test server
            logger.debug("connection error: %s", type(error).__name__)
        else:
            logger.exception("fake tyntec handler failed")


class FakeTyntec:
    """A fake tyntec 2FA v1 API over real HTTP, for tests and local development.

    ``with FakeTyntec(api_key="test-key") as fake:`` starts it on a free loopback port;
    ``fake.url`` is the base URL (without ``/2fa/v1``). See docs/fake_tyntec.md.
    """

    def __init__(
        self,
        api_key: str = "test-key",
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        account_id: str = "fake-account",
    ) -> None:
        if not api_key:
            raise ValueError("the fake needs an API key")
        self.api_key = api_key
        self.host = host
        self.port = port
        self.state = FakeState(account_id)
        self._server: FakeHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        # Never the API key (G4).
        return f"FakeTyntec(url={self.url if self._server else None!r})"

    # -- lifecycle -----------------------------------------------------------------

    def start(self) -> FakeTyntec:
        """Bind and serve on a daemon thread."""
        if self._server is not None:
            raise RuntimeError("the fake is already running")
        server = FakeHTTPServer((self.host, self.port), self.state, self.api_key)
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": _POLL_INTERVAL},
            name=f"fake-tyntec-{self.port}",
            daemon=True,
        )
        self._thread.start()
        logger.info("fake tyntec listening on %s", self.url)
        return self

    def stop(self) -> None:
        """Stop serving and cut open connections; hanging requests are released. Idempotent."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.stopping.set()
        server.shutdown()
        server.server_close()
        server.close_connections()
        thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeTyntec:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- what tests read -----------------------------------------------------------

    @property
    def url(self) -> str:
        """``http://<host>:<port>``, the base URL (without ``/2fa/v1``)."""
        if self._server is None:
            raise RuntimeError("the fake is not running")
        return f"http://{self.host}:{self.port}"

    @property
    def outbox(self) -> list[FakeMessage]:
        """Every message delivered, oldest first (the live list; ``reset()`` empties it)."""
        return self.state.outbox

    @property
    def counters(self) -> dict[str, int]:
        """Requests per operation so far (a copy)."""
        with self.state.lock:
            return dict(self.state.counters)

    @property
    def connections(self) -> int:
        """TCP connections accepted so far."""
        return self.state.connections

    @property
    def otps(self) -> dict[str, FakeOtp]:
        """Copies of the stored OTPs by id (deleted ones are gone)."""
        return self.state.snapshot_otps()

    @property
    def applications(self) -> dict[str, FakeApplication]:
        """Copies of the applications by id."""
        return self.state.snapshot_applications()

    def now_ms(self) -> int:
        """The fake's clock, epoch milliseconds."""
        return self.state.now_ms()

    # -- what tests change ---------------------------------------------------------

    def advance(self, seconds: float) -> None:
        """Move the fake's clock forward by ``seconds``."""
        self.state.advance(seconds)

    def inject(self, fault: Fault) -> None:
        """Queue ``fault`` for the next matching request(s)."""
        self.state.faults.add(fault)

    def plan_delivery(
        self,
        outcome: str = "delivered",
        delay: float = 0.0,
        *,
        number: str | None = None,
        channel: str | None = None,
    ) -> DeliveryPlan:
        """How the next messages' deliveries end (``outcomes.py``): ``outcome``
        ("delivered", "failed", "unknown" or "silent") reported ``delay`` seconds after
        each send, for ``number`` and ``channel`` (None: any). ``reset()`` forgets it."""
        plan = DeliveryPlan(outcome, delay, number, channel)
        self.state.deliveries.set(plan)
        return plan

    def reset(self) -> None:
        """Forget OTPs, outbox, counters, connections, faults, clock offset and applications.

        The account is back to just-started: only the default application, unedited.
        """
        self.state.reset()
