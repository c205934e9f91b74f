"""Registry authentication as an ``httpx.Auth`` generator flow: Basic and Bearer tokens.

The flow follows the docker token protocol (distribution ``spec/auth/token.md``):

1. Send the request, with a cached bearer token for its scope (or Basic, once the registry
   has asked for Basic) when we have one.
2. On ``401`` read ``WWW-Authenticate``. ``Basic``: repeat with the credentials. ``Bearer``:
   ``GET realm?service=...&scope=...`` (with Basic credentials if we have them, or ``POST`` an
   identity token as an OAuth2 refresh token), cache the token per ``(realm, service, scope)``
   until it expires, and repeat the request with it. ``error="insufficient_scope"`` on a
   request that carried a token is the same step for the wider scope the challenge names.
3. Each distinct challenge is answered once; a second ``401`` for it is the caller's answer.

Anonymous Docker Hub pulls are step 2 without credentials. Safety rules, because the realm
comes from the server and the token request carries the user's password:

* nothing is attached to a request for any origin but the registry's, and only challenges
  from the registry's own origin are answered (a redirect target cannot phish credentials);
* the realm must be ``https`` unless the registry itself is plain-http (``insecure``), and may
  not be a loopback, private, link-local or otherwise internal address unless it is the
  registry's own host (no cloud-metadata or intranet probing through a hostile challenge);
* ``requires_response_body`` stays ``False``: only the token response is read, and the
  client caps every intermediate body httpx reads.

Secrets never appear in a repr, a log line or an exception message.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import logging
import re
import threading
import time
import urllib.parse
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass

import httpx

from mstoolkit.errors import InvalidArgument, Unauthenticated, Unavailable
from mstoolkit.registry.challenge import Challenge, parse_challenges
from mstoolkit.registry.dockerconfig import Credentials, DockerConfig
from mstoolkit.registry.limits import BODY_LIMIT_EXTENSION, TOKEN_BODY_LIMIT

__all__ = [
    "AuthLike",
    "RegistryAuth",
    "is_internal_host",
    "is_loopback",
    "resolve_auth",
    "scope_for",
]

log = logging.getLogger(__name__)

CredentialSource = Callable[[], Credentials | None]
#: What ``auth=`` accepts: an ``httpx.Auth`` (used as is), ``(username, password)``,
#: :class:`Credentials`, or ``None`` for docker's config and anonymous tokens.
AuthLike = httpx.Auth | tuple[str, str] | Credentials | None

_REPO_PATH = re.compile(r"^/v2/(?P<name>.+)/(?:manifests|blobs|tags|referrers)/[^/]*(?:/.*)?$")
_DEFAULT_EXPIRY = 60
_EXPIRY_MARGIN = 5.0
_MAX_ROUNDS = 3
_CLIENT_ID = "mstoolkit"


def scope_for(method: str, path: str) -> str:
    """The token scope a request needs (``""`` when none, e.g. for ``/v2/``)."""
    if path.rstrip("/") == "/v2/_catalog":
        return "registry:catalog:*"
    match = _REPO_PATH.match(path)
    if match is None:
        return ""
    actions = "pull" if method.upper() in {"GET", "HEAD"} else "pull,push"
    return f"repository:{match.group('name')}:{actions}"


def is_internal_host(host: str) -> bool:
    """Whether *host* names loopback, private, link-local or otherwise non-public addresses.

    Only literal addresses and the ``localhost`` names are recognised: resolving names here
    would be both slow and racy (the answer can change before the connection is made).
    """
    name = host.strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def is_loopback(registry: str) -> bool:
    """Whether *registry* (``host[:port]``) is on this machine: plain HTTP is then the
    default, as docker treats 127.0.0.0/8 as an insecure registry out of the box."""
    host = registry
    if host.startswith("["):
        host = host[1 : host.find("]")] if "]" in host else host[1:]
    elif host.count(":") == 1:
        host = host.rsplit(":", 1)[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class _Token:
    value: str
    expires_at: float


class _TokenRequest(httpx.Request):
    """A request to a token realm: the one response whose body the flow reads."""


class RegistryAuth(httpx.Auth):
    """Basic and Bearer authentication for one registry, as the docker CLI does it.

    ``origin`` is the registry's base URL (``https://host[:port]``). ``credentials`` are used
    as given; otherwise ``credential_source`` is called once, at the first challenge, so that
    docker's config and credential helpers are consulted only when a registry asks. With
    neither, tokens are requested anonymously.
    """

    requires_request_body = False
    requires_response_body = False

    def __init__(
        self,
        *,
        origin: str,
        credentials: Credentials | None = None,
        credential_source: CredentialSource | None = None,
        insecure: bool = False,
        allowed_realm_hosts: frozenset[str] = frozenset(),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._origin = httpx.URL(origin)
        self._explicit = credentials
        self._source = credential_source
        self._resolved: Credentials | None = None
        self._looked_up = credentials is not None or credential_source is None
        self._insecure = insecure
        self._allowed_realm_hosts = frozenset(h.lower() for h in allowed_realm_hosts)
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[tuple[str, str, str], _Token] = {}
        self._bearer: tuple[str, str] | None = None
        self._basic = False

    def __repr__(self) -> str:
        who = "explicit" if self._explicit is not None else "docker-config"
        if self._explicit is None and self._source is None:
            who = "anonymous"
        return f"RegistryAuth(origin={str(self._origin)!r}, credentials={who})"

    # -- credentials and cache -------------------------------------------------------------

    def _credentials(self) -> Credentials | None:
        if self._explicit is not None:
            return self._explicit
        with self._lock:
            if not self._looked_up and self._source is not None:
                self._resolved = self._source()
                self._looked_up = True
            return self._resolved

    def _cached(self, key: tuple[str, str, str]) -> str | None:
        token = self._tokens.get(key)
        if token is None:
            return None
        if token.expires_at <= self._clock():
            self._tokens.pop(key, None)
            return None
        return token.value

    def clear_tokens(self) -> None:
        """Forget every cached token (the next request is challenged again)."""
        self._tokens.clear()

    # -- origin and realm checks -----------------------------------------------------------

    def _same_origin(self, url: httpx.URL) -> bool:
        return (url.scheme, url.host, url.port) == (
            self._origin.scheme,
            self._origin.host,
            self._origin.port,
        )

    def _realm_url(self, realm: str) -> httpx.URL:
        try:
            url = httpx.URL(realm)
        except (httpx.InvalidURL, TypeError) as exc:
            raise Unauthenticated(
                f"registry {self._origin.host}: token realm is not a URL"
            ) from exc
        if url.scheme not in {"http", "https"} or not url.host:
            raise Unauthenticated(f"registry {self._origin.host}: refusing token realm {realm!r}")
        if url.scheme == "http" and not self._insecure:
            raise Unauthenticated(
                f"registry {self._origin.host}: refusing plain-http token realm {realm!r} "
                "(only an insecure registry may use one)"
            )
        if url.userinfo:
            raise Unauthenticated(
                f"registry {self._origin.host}: refusing token realm with userinfo"
            )
        host = url.host.lower()
        if (
            host != self._origin.host.lower()
            and host not in self._allowed_realm_hosts
            and is_internal_host(host)
        ):
            raise Unauthenticated(
                f"registry {self._origin.host}: refusing token realm {realm!r} "
                "on an internal address that is not the registry's own host"
            )
        return url

    # -- requests --------------------------------------------------------------------------

    def _basic_header(self, credentials: Credentials) -> str:
        pair = f"{credentials.username}:{credentials.password}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")

    def _token_request(
        self, realm: httpx.URL, service: str, scopes: list[str], credentials: Credentials | None
    ) -> _TokenRequest:
        if credentials is not None and credentials.identity_token:
            form: list[tuple[str, str]] = [
                ("grant_type", "refresh_token"),
                ("refresh_token", credentials.identity_token),
                ("client_id", _CLIENT_ID),
            ]
            form += [("service", service)] if service else []
            form += [("scope", scope) for scope in scopes]
            body = urllib.parse.urlencode(form).encode()
            return _TokenRequest(
                "POST",
                realm,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                content=body,
                extensions={BODY_LIMIT_EXTENSION: TOKEN_BODY_LIMIT},
            )
        params: list[tuple[str, str]] = [("service", service)] if service else []
        params += [("scope", scope) for scope in scopes]
        headers: dict[str, str] = {}
        if credentials is not None and credentials.has_basic:
            params.append(("account", credentials.username))
            headers["Authorization"] = self._basic_header(credentials)
        merged = list(realm.params.multi_items()) + params
        return _TokenRequest(
            "GET",
            realm.copy_with(params=merged),
            headers=headers,
            extensions={BODY_LIMIT_EXTENSION: TOKEN_BODY_LIMIT},
        )

    def _read_token(self, response: httpx.Response, realm: httpx.URL) -> _Token:
        where = f"token server {realm.host}"
        if response.status_code in {401, 403}:
            raise Unauthenticated(f"{where} refused the credentials (HTTP {response.status_code})")
        if response.status_code == 429 or response.status_code >= 500:
            raise Unavailable(f"{where} unavailable (HTTP {response.status_code})")
        if response.status_code != 200:
            raise Unauthenticated(f"{where} answered HTTP {response.status_code}")
        try:
            doc = json.loads(response.content)
        except (ValueError, RecursionError) as exc:
            raise InvalidArgument(f"{where} sent a body that is not JSON") from exc
        if not isinstance(doc, dict):
            raise InvalidArgument(f"{where} sent a body that is not a JSON object")
        value = doc.get("token") or doc.get("access_token")
        if not isinstance(value, str) or not value or any(c in value for c in "\r\n "):
            raise InvalidArgument(f"{where} sent no usable token")
        expires_in = doc.get("expires_in")
        if not isinstance(expires_in, int) or isinstance(expires_in, bool) or expires_in < 1:
            expires_in = _DEFAULT_EXPIRY
        expires_in = max(expires_in, _DEFAULT_EXPIRY)
        return _Token(value, self._clock() + expires_in - _EXPIRY_MARGIN)

    def _preauthorize(self, request: httpx.Request, scope: str) -> None:
        credentials = self._explicit if self._explicit is not None else self._resolved
        if credentials is not None and credentials.registry_token:
            request.headers["Authorization"] = f"Bearer {credentials.registry_token}"
            return
        if self._bearer is not None:
            realm, service = self._bearer
            token = self._cached((realm, service, scope))
            if token is not None:
                request.headers["Authorization"] = f"Bearer {token}"
                return
        if self._basic and credentials is not None and credentials.has_basic:
            request.headers["Authorization"] = self._basic_header(credentials)

    @staticmethod
    def _pick(challenges: tuple[Challenge, ...]) -> Challenge | None:
        for scheme in ("bearer", "basic"):
            for challenge in challenges:
                if challenge.scheme == scheme:
                    return challenge
        return None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """The generator flow (httpx drives it; tests may drive it with ``send``)."""
        if not self._same_origin(request.url):
            yield request
            return
        scope = scope_for(request.method, request.url.path)
        self._preauthorize(request, scope)
        response = yield request
        answered: set[tuple[str, ...]] = set()
        for _ in range(_MAX_ROUNDS):
            if response.status_code != 401 or not self._same_origin(response.url):
                return
            challenge = self._pick(parse_challenges(response.headers.get_list("www-authenticate")))
            if challenge is None:
                return
            credentials = self._credentials()
            if challenge.scheme == "basic":
                if credentials is None or not credentials.has_basic or ("basic",) in answered:
                    return
                answered.add(("basic",))
                self._basic = True
                request.headers["Authorization"] = self._basic_header(credentials)
                response = yield request
                continue
            realm = self._realm_url(challenge.get("realm"))
            service = challenge.get("service")
            wanted = challenge.get("scope") or scope
            key = (str(realm), service, wanted)
            if ("bearer", *key) in answered:
                return
            answered.add(("bearer", *key))
            self._bearer = (str(realm), service)
            log.debug("requesting a token from %s for scope %r", realm.host, wanted)
            token_response = yield self._token_request(
                realm, service, [s for s in wanted.split(" ") if s], credentials
            )
            token = self._read_token(token_response, realm)
            self._tokens[key] = token
            if wanted != scope and scope:
                self._tokens[(str(realm), service, scope)] = token
            request.headers["Authorization"] = f"Bearer {token.value}"
            response = yield request

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        """Drive :meth:`auth_flow`, reading only the token responses."""
        flow = self.auth_flow(request)
        outgoing = next(flow)
        while True:
            response = yield outgoing
            if isinstance(outgoing, _TokenRequest):
                response.read()
            try:
                outgoing = flow.send(response)
            except StopIteration:
                return

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Drive :meth:`auth_flow` for an async client, reading only the token responses."""
        flow = self.auth_flow(request)
        outgoing = next(flow)
        while True:
            response = yield outgoing
            if isinstance(outgoing, _TokenRequest):
                await response.aread()
            try:
                outgoing = flow.send(response)
            except StopIteration:
                return


def _docker_config_source(registry: str) -> CredentialSource:
    def lookup() -> Credentials | None:
        try:
            return DockerConfig.load().credentials_for(registry)
        except (InvalidArgument, Unauthenticated) as exc:
            # Nobody asked for these credentials explicitly: a broken config file, or a
            # credsStore helper that this kernel's PATH lacks (Docker Desktop's config seen
            # from a Jupyter environment), must not stop anonymous access. The docker CLI
            # warns and carries on for a broken file; we do so for both.
            log.warning("ignoring docker credentials for %s: %s", registry, exc)
            return None

    return lookup


def resolve_auth(
    auth: AuthLike,
    *,
    registry: str,
    origin: str,
    insecure: bool,
    clock: Callable[[], float] = time.monotonic,
) -> httpx.Auth:
    """The ``httpx.Auth`` for a client of *registry* (``host[:port]`` as the user named it)."""
    if isinstance(auth, httpx.Auth):
        return auth
    if isinstance(auth, Credentials):
        return RegistryAuth(origin=origin, credentials=auth, insecure=insecure, clock=clock)
    if isinstance(auth, tuple):
        if len(auth) != 2 or not all(isinstance(part, str) for part in auth):
            raise InvalidArgument("auth must be a (username, password) tuple of strings")
        credentials = Credentials(username=auth[0], password=auth[1])
        return RegistryAuth(origin=origin, credentials=credentials, insecure=insecure, clock=clock)
    if auth is None:
        return RegistryAuth(
            origin=origin,
            credential_source=_docker_config_source(registry),
            insecure=insecure,
            clock=clock,
        )
    raise InvalidArgument(
        f"auth must be an httpx.Auth, a (username, password) tuple, Credentials or None, "
        f"not {type(auth).__name__}"
    )


def __dir__() -> list[str]:
    return sorted(__all__)
