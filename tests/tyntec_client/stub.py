"""A scripted HTTP/1.1 server on 127.0.0.1 for the ``TyntecProvider`` tests.

It knows nothing about tyntec: each request takes the next ``Canned`` answer from a
queue (an exact status, headers and body, or a hang, or a TCP reset) and is recorded
with its method, path, query, headers and connection number. The full fake tyntec
lives in ``django_tyntec2fa.testing``; this stub exists to produce answers a correct
server never gives.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

HANG_LIMIT = 10.0  # seconds a hanging answer waits at most, so a broken test cannot block


@dataclass(frozen=True)
class Canned:
    """One scripted answer. ``body`` may be bytes, text, or anything JSON-encodable."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    action: Literal["respond", "hang", "reset"] = "respond"

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


HANG = Canned(action="hang")
RESET = Canned(action="reset")


@dataclass(frozen=True)
class Recorded:
    """A request as the stub received it; ``headers`` keys are lower case."""

    method: str
    path: str
    query: dict[str, str]
    raw_query: str
    headers: dict[str, str]
    body: bytes
    connection: int


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like api.tyntec.com
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection_number = self.server.stub._new_connection()

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the default writes every request line (with the code) to stderr."""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        payload = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        pairs = parse_qsl(url.query, keep_blank_values=True)
        canned = self.server.stub._record_and_pop(
            Recorded(
                method=self.command,
                path=url.path,
                query=dict(pairs),
                raw_query=url.query,
                headers={key.lower(): value for key, value in self.headers.items()},
                body=payload,
                connection=self.connection_number,
            )
        )
        if canned.action == "hang":
            self.server.stub.release.wait(HANG_LIMIT)
            self.close_connection = True
            return
        if canned.action == "reset":
            # SO_LINGER 0: close() sends RST instead of FIN, after the request was read.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        # A 204/304 has no body by definition; sending one would desynchronise keep-alive.
        data = b"" if canned.status in (204, 304) else canned.encoded()
        self.send_response(canned.status)
        headers = {"Content-Type": "application/json", **canned.headers}
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_DELETE = do_PUT = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    stub: StubServer


class StubServer:
    """Start with ``start()``; ``enqueue`` answers; read ``requests`` and ``connections``."""

    def __init__(self, default: Canned | None = None) -> None:
        # An unscripted request gets a 599, which the client maps to "unavailable";
        # tests that care assert on the recorded requests instead.
        self.default = default or Canned(599, {"message": "unscripted request"})
        self.requests: list[Recorded] = []
        self.connections = 0
        self.release = threading.Event()
        self._queue: deque[Canned] = deque()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.stub = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        """Base URL, without the ``/2fa/v1`` path."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> StubServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def enqueue(self, *answers: Canned) -> None:
        with self._lock:
            self._queue.extend(answers)

    def reply(self, status: int, body: Any = None, **headers: str) -> None:
        """Shortcut for ``enqueue(Canned(status, body, headers))``."""
        self.enqueue(Canned(status, body, dict(headers)))

    @property
    def pending(self) -> int:
        """Scripted answers not used yet."""
        with self._lock:
            return len(self._queue)

    def _new_connection(self) -> int:
        with self._lock:
            self.connections += 1
            return self.connections

    def _record_and_pop(self, request: Recorded) -> Canned:
        with self._lock:
            self.requests.append(request)
            return self._queue.popleft() if self._queue else self.default


def closed_port_url() -> str:
    """A 127.0.0.1 URL nothing listens on, so connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
