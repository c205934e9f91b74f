"""A loopback reverse proxy that puts faults between a client and a real registry.

The real registry cannot be made to lie, stall or drop connections; this proxy can, and
otherwise forwards every request unchanged (headers, auth, status, body). Tests add
:class:`Fault` rules; each matches a method and a path regex, fires ``times`` times (``None``:
always) and does one thing:

``respond(status, headers, body)``   answer by itself (429 + Retry-After, 503, ...)
``tamper``                           forward, then flip one byte of the body (same length;
                                     the middle one, or ``tamper_offset``)
``set_headers`` / ``drop_headers``   forward with response headers replaced or removed
``replace_body(size, declare)``      forward the headers, send ``size`` filler bytes instead
                                     (``declare=False``: chunked, no Content-Length)
``reset(after)``                     forward, send the head and ``after`` body bytes, then RST
``delay(seconds)``                   wait before forwarding
``redirect(base)``                   307 to ``base + path`` (another origin)

``requests`` records what arrived (method, path, headers, client address) and
``body_bytes_sent`` how much of a replaced body actually left before the client hung up.
Use as a context manager or call :meth:`stop`. The ``fault_proxy`` fixture puts one in
front of ``registry_server``; ``fault_proxy_for(server)`` in front of any harness registry.
"""

from __future__ import annotations

import contextlib
import http.client
import re
import socket
import struct
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.support.registry_server import RegistryServer

__all__ = ["Fault", "FaultProxy", "ProxyFactory", "RecordedRequest"]

_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "proxy-authorization",
    "proxy-authenticate",
    "content-length",
}


@dataclass(frozen=True)
class RecordedRequest:
    """A request as the proxy received it."""

    method: str
    path: str
    headers: dict[str, str]
    peer: tuple[str, int] = ("", 0)


@dataclass
class Fault:
    """One rule: which requests (method, path regex, how many times) and what to do."""

    path: str = ".*"
    method: str | None = None
    times: int | None = None
    respond: tuple[int, dict[str, str], bytes] | None = None
    tamper: bool = False
    tamper_offset: int | None = None
    set_headers: dict[str, str] = field(default_factory=dict)
    drop_headers: tuple[str, ...] = ()
    replace_body: tuple[int, bool] | None = None
    reset: int | None = None
    delay: float = 0.0
    redirect: str | None = None
    fired: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.fired >= self.times:
            return False
        if self.method is not None and self.method != method:
            return False
        return re.search(self.path, path) is not None


class FaultProxy:
    """The proxy; ``url``/``host`` are where clients connect."""

    def __init__(self, upstream: str) -> None:
        split = urllib.parse.urlsplit(upstream)
        self.upstream_host = split.hostname or "127.0.0.1"
        self.upstream_port = split.port or 80
        self.faults: list[Fault] = []
        self.requests: list[RecordedRequest] = []
        self.body_bytes_sent = 0
        self.errors: list[BaseException] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def setup(self) -> None:
                super().setup()
                # Head and body go out in two writes; without this, Nagle's algorithm holds
                # the body until the client's delayed ACK (40 ms) on every answer.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_GET(self) -> None:
                proxy._handle(self)

            def do_HEAD(self) -> None:
                proxy._handle(self)

            def do_POST(self) -> None:
                proxy._handle(self)

            def do_PUT(self) -> None:
                proxy._handle(self)

            def do_DELETE(self) -> None:
                proxy._handle(self)

            def finish(self) -> None:
                with contextlib.suppress(OSError, ValueError):
                    super().finish()

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            # socketserver's default backlog of 5 drops the SYNs of a client opening eight
            # connections at once, which then wait a full second to retry.
            request_queue_size = 128

            def handle_error(self, request: object, client_address: object) -> None:
                import sys  # noqa: PLC0415

                with proxy._lock:
                    proxy.errors.append(sys.exc_info()[1] or RuntimeError("unknown"))

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def add(self, fault: Fault) -> Fault:
        """Install a rule (rules are tried in order; the first match fires)."""
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every rule and forget recorded requests."""
        with self._lock:
            self.faults.clear()
            self.requests.clear()
            self.body_bytes_sent = 0

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- internals -------------------------------------------------------------------------

    def _pick(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(method, path):
                    fault.fired += 1
                    return fault
        return None

    def _forward(self, handler: BaseHTTPRequestHandler) -> tuple[int, list[tuple[str, str]], bytes]:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else None
        conn = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=30)
        try:
            # Header by header: clients such as skopeo repeat Accept, and a dict would keep one.
            conn.putrequest(
                handler.command, handler.path, skip_host=True, skip_accept_encoding=True
            )
            conn.putheader("Host", f"{self.upstream_host}:{self.upstream_port}")
            for key, value in handler.headers.items():
                if key.lower() not in _HOP | {"host"}:
                    conn.putheader(key, value)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            response = conn.getresponse()
            data = response.read()
            return response.status, response.getheaders(), data
        finally:
            conn.close()

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        method, path = handler.command, handler.path
        with self._lock:
            self.requests.append(
                RecordedRequest(
                    method, path, dict(handler.headers.items()), tuple(handler.client_address)
                )
            )
        fault = self._pick(method, path)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.respond is not None:
            status, headers, body = fault.respond
            self._send(handler, status, list(headers.items()), body)
            return
        if fault is not None and fault.redirect is not None:
            self._send(handler, 307, [("Location", fault.redirect + path)], b"")
            return
        status, headers, body = self._forward(handler)
        if fault is None:
            self._send(handler, status, headers, body)
            return
        headers = [
            (k, v)
            for k, v in headers
            if k.lower() not in {h.lower() for h in (*fault.drop_headers, *fault.set_headers)}
        ]
        headers += list(fault.set_headers.items())
        if fault.tamper and body:
            at = len(body) // 2 if fault.tamper_offset is None else fault.tamper_offset
            body = body[:at] + bytes([body[at] ^ 0x01]) + body[at + 1 :]
        if fault.replace_body is not None:
            self._send_filler(handler, status, headers, *fault.replace_body)
            return
        if fault.reset is not None:
            self._send_and_reset(handler, status, headers, body, fault.reset)
            return
        self._send(handler, status, headers, body)

    def _head(
        self, handler: BaseHTTPRequestHandler, status: int, headers: list[tuple[str, str]]
    ) -> None:
        handler.send_response(status)
        for key, value in headers:
            if key.lower() not in _HOP and key.lower() not in {"date", "server"}:
                handler.send_header(key, value)

    def _send(
        self,
        handler: BaseHTTPRequestHandler,
        status: int,
        headers: list[tuple[str, str]],
        body: bytes,
    ) -> None:
        self._head(handler, status, headers)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(body)

    def _send_filler(
        self,
        handler: BaseHTTPRequestHandler,
        status: int,
        headers: list[tuple[str, str]],
        size: int,
        declare: bool,
    ) -> None:
        self._head(handler, status, headers)
        if declare:
            handler.send_header("Content-Length", str(size))
        else:
            handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        chunk = b"x" * 65536
        sent = 0
        try:
            while sent < size:
                piece = chunk[: min(len(chunk), size - sent)]
                if declare:
                    handler.wfile.write(piece)
                else:
                    handler.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                sent += len(piece)
                with self._lock:
                    self.body_bytes_sent = sent
            if not declare:
                handler.wfile.write(b"0\r\n\r\n")
        except OSError:
            handler.close_connection = True

    def _send_and_reset(
        self,
        handler: BaseHTTPRequestHandler,
        status: int,
        headers: list[tuple[str, str]],
        body: bytes,
        after: int,
    ) -> None:
        if after >= 0:
            self._head(handler, status, headers)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body[:after])
            handler.wfile.flush()
        sock = handler.connection
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
        handler.close_connection = True


@pytest.fixture
def fault_proxy(registry_server: RegistryServer) -> Iterator[FaultProxy]:
    """A :class:`FaultProxy` in front of the seeded ``registry_server`` (fresh per test)."""
    with FaultProxy(registry_server.url) as proxy:
        yield proxy


#: ``fault_proxy_for(server) -> FaultProxy``: a proxy in front of any harness registry.
ProxyFactory = Callable[[RegistryServer], FaultProxy]


@pytest.fixture
def fault_proxy_for() -> Iterator[ProxyFactory]:
    """A factory putting a fresh :class:`FaultProxy` in front of a given registry; all the
    proxies it made are stopped after the test."""
    made: list[FaultProxy] = []

    def make(server: RegistryServer) -> FaultProxy:
        proxy = FaultProxy(server.url)
        made.append(proxy)
        return proxy

    try:
        yield make
    finally:
        for proxy in made:
            proxy.stop()
