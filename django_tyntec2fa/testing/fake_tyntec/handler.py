"""The HTTP request handler: authentication, faults, routing and the JSON answer."""

from __future__ import annotations

import hmac
import json
import logging
import re
import socket
import struct
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .control import handle_control
from .errors import INJECTED_FAULT, ApiError, error_body
from .faults import Fault, answer_for_another_otp
from .params import Params
from .reply import Reply
from .routes import match

if TYPE_CHECKING:
    from .server import FakeHTTPServer

logger = logging.getLogger("django_tyntec2fa.testing.fake_tyntec")
logger.addHandler(logging.NullHandler())  # a library: the application decides where logs go

MAX_BODY = 64 * 1024  # tyntec's bodies are small application entities
DRAIN_LIMIT = 1024 * 1024  # larger bodies are not even read before closing
IDLE_TIMEOUT = 60.0  # an idle keep-alive connection is closed after this
HANG_LIMIT = 600.0  # a "hang" fault gives up after this even if the fake never stops
MALFORMED_BODY = b'{"otpId": "'  # truncated JSON

_QUERY = re.compile(r"\?\S*")


def redact_target(target: str) -> str:
    """``/p?number=+49...&otpCode=1234`` -> ``/p?number=***&otpCode=***`` (G4)."""
    path, separator, query = target.partition("?")
    if not separator:
        return path
    names = [part.split("=", 1)[0] for part in query.split("&") if part]
    return path + "?" + "&".join(f"{name}=***" for name in names)


class FakeTyntecHandler(BaseHTTPRequestHandler):
    """Answers one connection's requests; HTTP/1.1 so clients can keep connections alive."""

    protocol_version = "HTTP/1.1"
    server_version = "FakeTyntec/1.0"
    timeout = IDLE_TIMEOUT
    server: FakeHTTPServer

    def do_GET(self) -> None:
        """GET requests."""
        self._dispatch()

    do_POST = do_DELETE = do_PUT = do_PATCH = do_GET

    def setup(self) -> None:
        """Set up the connection's streams, with Nagle's algorithm off."""
        super().setup()
        # Headers and body go out as two writes; with Nagle on, the body waits for the
        # client's delayed ACK, ~40 ms on every keep-alive answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def version_string(self) -> str:
        """The Server header, without http.server's Python version."""
        return self.server_version

    # -- the request pipeline ------------------------------------------------------

    def _dispatch(self) -> None:
        body = self._read_body()
        if body is None:
            return
        state = self.server.state
        target = urlsplit(self.path)
        params = Params(target.query)
        try:
            if target.path.startswith("/_fake/"):
                reply = self._authenticate(params) or handle_control(
                    state, self.command, target.path, params, body
                )
            else:
                route, args = match(self.command, target.path)
                # Counted first: a test wants to see requests even when they fail.
                state.count(route.name)
                fault = state.faults.take(route.name)
                if fault is not None and not self._apply_fault(fault):
                    return
                reply = self._authenticate(params)
                if reply is None:
                    with state.lock:
                        reply = route.operation(state, params, args, body)
                    if fault is not None and fault.kind == "other_id":
                        reply = answer_for_another_otp(reply)
        except ApiError as exc:
            body_json = None
            if exc.code is not None:
                body_json = error_body(exc.code, exc.message, state.now_ms())
            reply = Reply(exc.status, body_json)
        self._send(reply)

    def _read_body(self) -> bytes | None:
        """The request body, fully read so keep-alive stays in step; None if refused."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self._refuse(411, "Send a Content-Length.")
            return None
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            if MAX_BODY < length <= DRAIN_LIMIT:
                # Read it anyway: closing on unread data sends an RST that can
                # overtake the 413 on its way to the client.
                self.rfile.read(length)
            self._refuse(413, "Body too large or Content-Length invalid.")
            return None
        return self.rfile.read(length)

    def _refuse(self, status: int, message: str) -> None:
        self.close_connection = True  # the rest of the stream cannot be trusted
        self._send(Reply(status, error_body(str(status), message, self.server.state.now_ms())))

    def _authenticate(self, params: Params) -> Reply | None:
        """None when the API key is right; else the gateway's answer (bodies INFERRED)."""
        supplied = self.headers.get("apiKey") or params.get("apiKey")  # header names: any case
        if not supplied:
            return Reply(401, {"message": "No API key found in request"})
        if not hmac.compare_digest(supplied.encode(), self.server.api_key.encode()):
            return Reply(403, {"message": "Invalid authentication credentials"})
        return None

    def _apply_fault(self, fault: Fault) -> bool:
        """Act out ``fault``; True when the request should then be answered normally."""
        logger.info("fault %s injected into %s %s", fault.kind, self.command, self._redacted())
        stopping = self.server.stopping
        if fault.kind == "latency":
            if not stopping.wait(fault.delay):
                return True
            self.close_connection = True  # the fake is stopping: do not answer late
        elif fault.kind == "hang":
            self.close_connection = True
            stopping.wait(HANG_LIMIT)
        elif fault.kind == "reset":
            # SO_LINGER 0 makes close() send a TCP RST instead of a FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.rfile.close()
            self.connection.close()
        elif fault.kind == "other_id":
            return True  # carried out normally; the answer is rewritten afterwards
        elif fault.kind == "malformed":
            self._write(200, MALFORMED_BODY, "application/json")
        else:  # "status"
            status = fault.status or 500
            message = f"Injected fault: HTTP {status}"
            body = error_body(INJECTED_FAULT, message, self.server.state.now_ms())
            self._send(Reply(status, body))
        return False

    # -- writing -------------------------------------------------------------------

    def _send(self, reply: Reply) -> None:
        if reply.body is None:
            self._write(reply.status, b"", None)
        else:
            self._write(reply.status, json.dumps(reply.body).encode(), "application/json")

    def _write(self, status: int, payload: bytes, content_type: str | None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if status != 204:  # RFC 9110: a 204 carries no Content-Length
            self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)

    # -- logging: through `logging`, never stderr, never a query value ---------------

    def _redacted(self) -> str:
        return redact_target(self.path)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """One line per answered request, query values redacted."""
        logger.info("%s %s -> %s", self.command, self._redacted(), code)

    def log_message(self, format: str, *args: object) -> None:
        """http.server's other messages (errors, timeouts), query strings removed."""
        logger.info("%s: %s", self.address_string(), _QUERY.sub("?***", format % args))
