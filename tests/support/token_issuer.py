"""A small docker token server for tests (distribution ``spec/auth/token.md``).

The harness's ``start.sh --token REALM`` makes the registry trust JWTs that are signed with
``DATADIR/token.key`` (RS256), carry ``DATADIR/token.crt`` in the ``x5c`` header, and have
``iss=registry-harness-token``, ``aud=registry-harness``. This issuer serves::

    GET  /token?service=...&scope=...&scope=...   [Authorization: Basic ...]
    POST /token  grant_type=refresh_token&refresh_token=...&service=...&scope=...

and answers ``{"token": JWT, "access_token": JWT, "expires_in": N, "issued_at": ...}``.

Policy: a request with Basic credentials must name a known user (else 401); a refresh token
must be a known one (else 401); anonymous requests get a token with no access at all. The
granted access is what was asked, filtered by ``grant`` (default: everything for users),
because the registry, not the issuer, is what the tests exercise. Every request is recorded
(``requests``) so tests can count token fetches per scope.

It listens on 127.0.0.1 in a daemon thread (stdlib ``http.server``); ``cryptography`` signs.
"""

from __future__ import annotations

import base64
import json
import secrets
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

__all__ = ["IssuedRequest", "TokenIssuer"]

SERVICE = "registry-harness"
ISSUER = "registry-harness-token"

#: ``grant(account, type, name, actions) -> allowed actions``
Grant = Callable[[str, str, str, list[str]], list[str]]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _allow_all(account: str, _type: str, _name: str, actions: list[str]) -> list[str]:
    return actions if account else []


@dataclass(frozen=True)
class IssuedRequest:
    """One request the issuer saw: who asked, for which scopes, and what it answered."""

    method: str
    account: str
    service: str
    scopes: tuple[str, ...]
    status: int


class TokenIssuer:
    """The token server; :meth:`start` returns the realm URL, :meth:`load_key` arms it."""

    def __init__(
        self,
        *,
        users: Mapping[str, str] | None = None,
        refresh_tokens: Mapping[str, str] | None = None,
        grant: Grant = _allow_all,
        expires_in: int = 300,
    ) -> None:
        self.users = dict(users or {})
        self.refresh_tokens = dict(refresh_tokens or {})
        self.grant = grant
        self.expires_in = expires_in
        self.requests: list[IssuedRequest] = []
        self._key: rsa.RSAPrivateKey | None = None
        self._x5c = ""
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def realm(self) -> str:
        assert self._server is not None, "issuer not started"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/token"

    def start(self) -> str:
        """Listen on a free loopback port; returns the realm URL."""
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def setup(self) -> None:
                super().setup()
                # Head and body are two writes: no Nagle delay between them.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_GET(self) -> None:
                query = urllib.parse.urlsplit(self.path).query
                issuer._answer(self, "GET", urllib.parse.parse_qs(query))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = self.rfile.read(length).decode("utf-8", "replace")
                issuer._answer(self, "POST", urllib.parse.parse_qs(form))

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 128  # concurrent clients must not overflow the backlog

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self.realm

    def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def load_key(self, key_path: Path, cert_path: Path) -> None:
        """Sign with the key ``start.sh --token`` wrote, and send its certificate in ``x5c``."""
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        self._key = key
        self._x5c = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()

    def scope_requests(self, scope: str) -> int:
        """How many token requests asked for *scope*."""
        with self._lock:
            return sum(1 for r in self.requests if scope in r.scopes)

    # -- internals -------------------------------------------------------------------------

    def _account(
        self, handler: BaseHTTPRequestHandler, method: str, params: Mapping[str, list[str]]
    ) -> str | None:
        """The account asking ("" anonymous), or None when the credentials are wrong."""
        if method == "POST":
            if params.get("grant_type", [""])[0] != "refresh_token":
                return None
            return self.refresh_tokens.get(params.get("refresh_token", [""])[0])
        header = handler.headers.get("Authorization", "")
        if not header:
            return ""
        if not header.startswith("Basic "):
            return None
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return None
        return user if self.users.get(user) == password and user else None

    def _access(self, account: str, scopes: list[str]) -> list[dict[str, object]]:
        access: list[dict[str, object]] = []
        for scope in scopes:
            parts = scope.split(":")
            if len(parts) < 3:
                continue
            kind, name, actions = parts[0], ":".join(parts[1:-1]), parts[-1].split(",")
            allowed = self.grant(account, kind, name, actions)
            if allowed:
                access.append({"type": kind, "name": name, "actions": allowed})
        return access

    def _jwt(self, account: str, access: list[dict[str, object]]) -> str:
        assert self._key is not None, "issuer has no key: call load_key()"
        now = int(time.time())
        header = {"alg": "RS256", "typ": "JWT", "x5c": [self._x5c]}
        claims = {
            "iss": ISSUER,
            "aud": SERVICE,
            "sub": account,
            "iat": now,
            "nbf": now - 10,
            "exp": now + self.expires_in,
            "jti": secrets.token_hex(8),
            "access": access,
        }
        signing_input = (
            _b64url(json.dumps(header).encode()) + "." + _b64url(json.dumps(claims).encode())
        )
        signature = self._key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + _b64url(signature)

    def _answer(
        self, handler: BaseHTTPRequestHandler, method: str, params: Mapping[str, list[str]]
    ) -> None:
        scopes = [s for value in params.get("scope", []) for s in value.split(" ") if s]
        service = params.get("service", [""])[0]
        account = self._account(handler, method, params)
        if account is None:
            status, body = 401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]}
        else:
            token = self._jwt(account, self._access(account, scopes))
            status, body = (
                200,
                {
                    "token": token,
                    "access_token": token,
                    "expires_in": self.expires_in,
                    "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                },
            )
        with self._lock:
            self.requests.append(
                IssuedRequest(method, account or "", service, tuple(scopes), status)
            )
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
