"""RegistryAuth as an httpx generator flow, driven by hand (httpx's own testing style) and
through MockTransport for the cases no test server offers (https realms, expiry)."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable

import httpx
import pytest

from mstoolkit.errors import InvalidArgument, Unauthenticated, Unavailable
from mstoolkit.registry import Credentials, RegistryAuth, RegistryClient
from mstoolkit.registry.auth import is_internal_host, resolve_auth, scope_for

ORIGIN = "https://registry.example/"
MANIFEST_URL = "https://registry.example/v2/team/app/manifests/latest"
REALM = "https://auth.example/token"


def _challenge(scope: str = "repository:team/app:pull", **extra: str) -> dict[str, str]:
    params = {"realm": REALM, "service": "registry.example", "scope": scope, **extra}
    value = "Bearer " + ",".join(f'{k}="{v}"' for k, v in params.items())
    return {"WWW-Authenticate": value}


def _token(value: str, expires_in: int | None = 300) -> bytes:
    doc: dict[str, object] = {"token": value}
    if expires_in is not None:
        doc["expires_in"] = expires_in
    return json.dumps(doc).encode()


def test_bearer_flow_fetches_a_token_and_repeats_the_request() -> None:
    """401 Bearer -> GET realm with service, scope, account and Basic -> request with token."""
    auth = RegistryAuth(origin=ORIGIN, credentials=Credentials(username="u", password="p"))
    request = httpx.Request("GET", MANIFEST_URL)
    flow = auth.sync_auth_flow(request)
    first = next(flow)
    assert "Authorization" not in first.headers
    token_request = flow.send(httpx.Response(401, headers=_challenge(), request=first))
    assert token_request.url.host == "auth.example"
    assert dict(token_request.url.params.multi_items()) == {
        "service": "registry.example",
        "scope": "repository:team/app:pull",
        "account": "u",
    }
    assert token_request.headers["Authorization"] == "Basic " + base64.b64encode(b"u:p").decode()
    retried = flow.send(httpx.Response(200, content=_token("tok1"), request=token_request))
    assert retried.headers["Authorization"] == "Bearer tok1"
    with pytest.raises(StopIteration):
        flow.send(httpx.Response(200, request=retried))


def test_cached_token_is_sent_up_front_for_the_same_scope_only() -> None:
    """The next request for the same repository carries the token without a 401 round trip."""
    auth = RegistryAuth(origin=ORIGIN)
    flow = auth.sync_auth_flow(httpx.Request("GET", MANIFEST_URL))
    first = next(flow)
    token_request = flow.send(httpx.Response(401, headers=_challenge(), request=first))
    assert "Authorization" not in token_request.headers
    flow.send(httpx.Response(200, content=_token("tok1"), request=token_request))
    again = next(auth.sync_auth_flow(httpx.Request("HEAD", MANIFEST_URL.replace("latest", "v2"))))
    assert again.headers["Authorization"] == "Bearer tok1"
    other = next(
        auth.sync_auth_flow(httpx.Request("GET", "https://registry.example/v2/x/y/tags/list"))
    )
    assert "Authorization" not in other.headers


def test_insufficient_scope_fetches_a_wider_token() -> None:
    """A token rejected with error=insufficient_scope is replaced by one for the named scope."""
    auth = RegistryAuth(origin=ORIGIN)
    flow = auth.sync_auth_flow(httpx.Request("GET", MANIFEST_URL))
    first = next(flow)
    token1 = flow.send(httpx.Response(401, headers=_challenge(), request=first))
    retried = flow.send(httpx.Response(200, content=_token("narrow"), request=token1))
    wider = "repository:team/app:pull repository:team/base:pull"
    token2 = flow.send(
        httpx.Response(401, headers=_challenge(wider, error="insufficient_scope"), request=retried)
    )
    assert token2.url.params.get_list("scope") == wider.split(" ")
    final = flow.send(httpx.Response(200, content=_token("wide"), request=token2))
    assert final.headers["Authorization"] == "Bearer wide"


def test_each_challenge_is_answered_once() -> None:
    """A second 401 for the same challenge ends the flow with that 401 (no token loop)."""
    auth = RegistryAuth(origin=ORIGIN)
    flow = auth.sync_auth_flow(httpx.Request("GET", MANIFEST_URL))
    first = next(flow)
    token1 = flow.send(httpx.Response(401, headers=_challenge(), request=first))
    retried = flow.send(httpx.Response(200, content=_token("t"), request=token1))
    with pytest.raises(StopIteration):
        flow.send(httpx.Response(401, headers=_challenge(), request=retried))


def test_basic_challenge_without_credentials_returns_the_401() -> None:
    """Anonymous clients cannot answer Basic; the 401 goes back to the caller."""
    auth = RegistryAuth(origin=ORIGIN)
    flow = auth.sync_auth_flow(httpx.Request("GET", MANIFEST_URL))
    first = next(flow)
    with pytest.raises(StopIteration):
        flow.send(
            httpx.Response(401, headers={"WWW-Authenticate": 'Basic realm="r"'}, request=first)
        )


def test_nothing_is_attached_to_other_origins_or_answered_for_them() -> None:
    """Requests to, and challenges from, any other origin are passed through untouched."""
    auth = RegistryAuth(origin=ORIGIN, credentials=Credentials(username="u", password="p"))
    flow = auth.sync_auth_flow(httpx.Request("GET", "https://cdn.example/blob"))
    outgoing = next(flow)
    assert "Authorization" not in outgoing.headers
    with pytest.raises(StopIteration):
        flow.send(
            httpx.Response(401, headers={"WWW-Authenticate": 'Basic realm="x"'}, request=outgoing)
        )
    flow = auth.sync_auth_flow(httpx.Request("GET", MANIFEST_URL))
    first = next(flow)
    redirected_401 = httpx.Response(
        401,
        headers=_challenge(),
        request=httpx.Request("GET", "https://evil.example/v2/team/app/manifests/latest"),
    )
    with pytest.raises(StopIteration):
        flow.send(redirected_401)
    assert first.url.host == "registry.example"


@pytest.mark.parametrize(
    ("realm", "insecure", "allowed"),
    [
        ("https://auth.example/token", False, True),
        ("http://auth.example/token", False, False),
        ("http://auth.example/token", True, True),
        ("https://registry.example:8443/token", False, True),
        ("https://127.0.0.1/token", False, False),
        ("https://10.0.0.8/token", False, False),
        ("https://192.168.1.1/token", False, False),
        ("https://169.254.169.254/token", False, False),
        ("https://[::1]/token", False, False),
        ("https://[fd00::1]/token", False, False),
        ("https://[::ffff:10.0.0.1]/token", False, False),
        ("https://localhost/token", False, False),
        ("https://user:pw@auth.example/token", False, False),
        ("javascript:alert(1)", False, False),
        ("", False, False),
    ],
)
def test_realm_rules(realm: str, insecure: bool, allowed: bool) -> None:
    """https only (unless insecure), no internal addresses except the registry's own host."""
    auth = RegistryAuth(origin=ORIGIN, insecure=insecure)
    flow = auth.sync_auth_flow(httpx.Request("GET", MANIFEST_URL))
    first = next(flow)
    header = {"WWW-Authenticate": f'Bearer realm="{realm}",service="s"'}
    if allowed:
        token_request = flow.send(httpx.Response(401, headers=header, request=first))
        assert str(token_request.url).startswith(realm)
    else:
        with pytest.raises(Unauthenticated, match="realm"):
            flow.send(httpx.Response(401, headers=header, request=first))


def test_loopback_realm_is_allowed_for_a_loopback_registry() -> None:
    """A registry on 127.0.0.1 may name a token server on 127.0.0.1 (another port)."""
    auth = RegistryAuth(origin="http://127.0.0.1:5000/", insecure=True)
    flow = auth.sync_auth_flow(httpx.Request("GET", "http://127.0.0.1:5000/v2/"))
    first = next(flow)
    header = {"WWW-Authenticate": 'Bearer realm="http://127.0.0.1:5001/token"'}
    assert flow.send(httpx.Response(401, headers=header, request=first)).url.port == 5001


def test_allowed_realm_hosts_is_the_escape_hatch() -> None:
    """An intranet token server can be allowed explicitly."""
    auth = RegistryAuth(origin=ORIGIN, allowed_realm_hosts=frozenset({"10.0.0.8"}))
    flow = auth.sync_auth_flow(httpx.Request("GET", MANIFEST_URL))
    first = next(flow)
    header = {"WWW-Authenticate": 'Bearer realm="https://10.0.0.8/token"'}
    assert flow.send(httpx.Response(401, headers=header, request=first)).url.host == "10.0.0.8"


@pytest.mark.parametrize(
    ("status", "error"),
    [(401, Unauthenticated), (403, Unauthenticated), (503, Unavailable), (404, Unauthenticated)],
)
def test_token_server_failures(status: int, error: type[Exception]) -> None:
    """The token server's refusal is Unauthenticated; its outage is Unavailable."""
    auth = RegistryAuth(origin=ORIGIN)
    flow = auth.sync_auth_flow(httpx.Request("GET", MANIFEST_URL))
    token_request = flow.send(httpx.Response(401, headers=_challenge(), request=next(flow)))
    with pytest.raises(error):
        flow.send(httpx.Response(status, content=b"{}", request=token_request))


@pytest.mark.parametrize(
    "body", [b"not json", b"[]", b"{}", b'{"token": ""}', b'{"token": "a b"}', b'{"token": 5}']
)
def test_unusable_token_bodies_are_invalid(body: bytes) -> None:
    """A token answer without a usable token is InvalidArgument, never a KeyError."""
    auth = RegistryAuth(origin=ORIGIN)
    flow = auth.sync_auth_flow(httpx.Request("GET", MANIFEST_URL))
    token_request = flow.send(httpx.Response(401, headers=_challenge(), request=next(flow)))
    with pytest.raises(InvalidArgument):
        flow.send(httpx.Response(200, content=body, request=token_request))


def test_access_token_field_and_default_expiry() -> None:
    """access_token is accepted; without expires_in a token lives 60 s (spec default)."""
    now = [1000.0]
    auth = RegistryAuth(origin=ORIGIN, clock=lambda: now[0])
    flow = auth.sync_auth_flow(httpx.Request("GET", MANIFEST_URL))
    token_request = flow.send(httpx.Response(401, headers=_challenge(), request=next(flow)))
    body = json.dumps({"access_token": "oauth"}).encode()
    assert (
        flow.send(httpx.Response(200, content=body, request=token_request)).headers["Authorization"]
        == "Bearer oauth"
    )
    now[0] += 50
    assert "Authorization" in next(auth.sync_auth_flow(httpx.Request("GET", MANIFEST_URL))).headers
    now[0] += 10
    assert (
        "Authorization" not in next(auth.sync_auth_flow(httpx.Request("GET", MANIFEST_URL))).headers
    )


def test_registry_token_from_docker_config_is_sent_as_is() -> None:
    """A registrytoken is a ready bearer token: no challenge needed."""
    auth = RegistryAuth(origin=ORIGIN, credentials=Credentials(registry_token="ready"))
    first = next(auth.sync_auth_flow(httpx.Request("GET", MANIFEST_URL)))
    assert first.headers["Authorization"] == "Bearer ready"


def test_credential_source_is_consulted_once_and_only_when_challenged() -> None:
    """docker's config is read lazily, at the first challenge, and only once."""
    calls: list[int] = []

    def source() -> Credentials | None:
        calls.append(1)
        return Credentials(username="u", password="p")

    auth = RegistryAuth(origin=ORIGIN, credential_source=source)
    flow = auth.sync_auth_flow(httpx.Request("GET", MANIFEST_URL))
    first = next(flow)
    assert calls == []
    header = {"WWW-Authenticate": 'Basic realm="r"'}
    assert (
        flow.send(httpx.Response(401, headers=header, request=first))
        .headers["Authorization"]
        .startswith("Basic ")
    )
    next(auth.sync_auth_flow(httpx.Request("GET", MANIFEST_URL)))
    assert calls == [1]


def test_scope_for_paths() -> None:
    """Scopes follow distribution's routes; nested names and odd components work."""
    assert scope_for("GET", "/v2/a/b/c/manifests/latest") == "repository:a/b/c:pull"
    assert scope_for("HEAD", "/v2/x/tags/y/tags/list") == "repository:x/tags/y:pull"
    assert scope_for("GET", "/v2/r/referrers/sha256:00") == "repository:r:pull"
    assert scope_for("GET", "/v2/_catalog") == "registry:catalog:*"
    assert scope_for("GET", "/v2/") == ""
    assert scope_for("PUT", "/v2/a/blobs/uploads/") == "repository:a:pull,push"


def test_is_internal_host() -> None:
    """Only literal internal addresses and localhost names count (no DNS lookups)."""
    assert is_internal_host("127.0.0.1")
    assert is_internal_host("LOCALHOST")
    assert is_internal_host("foo.localhost")
    assert is_internal_host("100.64.0.1")
    assert is_internal_host("224.0.0.1")
    assert not is_internal_host("8.8.8.8")
    assert not is_internal_host("auth.docker.io")


def test_resolve_auth_accepts_the_documented_forms() -> None:
    """httpx.Auth is used as is; tuples and Credentials become RegistryAuth; junk is refused."""
    custom = httpx.BasicAuth("a", "b")
    kwargs: dict[str, object] = {"registry": "r.example", "origin": ORIGIN, "insecure": False}
    assert resolve_auth(custom, **kwargs) is custom  # type: ignore[arg-type]
    assert isinstance(resolve_auth(("u", "p"), **kwargs), RegistryAuth)  # type: ignore[arg-type]
    assert "anonymous" not in repr(resolve_auth(None, **kwargs))  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument):
        resolve_auth(("u",), **kwargs)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument):
        resolve_auth("u:p", **kwargs)  # type: ignore[arg-type]


Handler = Callable[[httpx.Request], httpx.Response]


def test_docker_hub_anonymous_token_through_the_client() -> None:
    """docker.io goes to registry-1.docker.io, adds library/, fetches an anonymous token from
    auth.docker.io, and exposes the rate-limit headers."""
    body = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [],
        }
    ).encode()
    digest = "sha256:" + hashlib.sha256(body).hexdigest()
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "auth.docker.io":
            assert "authorization" not in request.headers
            assert request.url.params["service"] == "registry.docker.io"
            return httpx.Response(200, json={"token": "anon", "expires_in": 300})
        assert request.url.host == "registry-1.docker.io"
        assert request.url.path == "/v2/library/alpine/manifests/latest"
        if request.headers.get("authorization") != "Bearer anon":
            challenge = (
                'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
                'scope="repository:library/alpine:pull"'
            )
            return httpx.Response(401, headers={"WWW-Authenticate": challenge})
        return httpx.Response(
            200,
            content=body,
            headers={
                "Content-Type": "application/vnd.oci.image.index.v1+json",
                "Docker-Content-Digest": digest,
                "ratelimit-limit": "100;w=21600",
                "ratelimit-remaining": "76;w=21600",
                "docker-ratelimit-source": "203.0.113.7",
            },
        )

    client = RegistryClient(
        "docker.io",
        transport=httpx.MockTransport(handler),
        auth=RegistryAuth(origin="https://registry-1.docker.io/"),
    )
    with client:
        fetched = client.get_manifest("alpine", "latest")
    assert client.base_url == "https://registry-1.docker.io/"
    assert fetched.repository == "library/alpine"
    assert fetched.registry == "docker.io"
    assert fetched.rate_limit is not None
    assert (fetched.rate_limit.limit, fetched.rate_limit.remaining) == (100, 76)
    assert (fetched.rate_limit.window_seconds, fetched.rate_limit.source) == (21600, "203.0.113.7")
    assert [r.url.host for r in seen] == [
        "registry-1.docker.io",
        "auth.docker.io",
        "registry-1.docker.io",
    ]


def test_http_realm_for_an_https_registry_is_refused_through_the_client() -> None:
    """An https registry whose challenge names an http realm gets Unauthenticated; the realm
    is never contacted."""
    contacted: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        contacted.append(str(request.url.host))
        return httpx.Response(
            401, headers={"WWW-Authenticate": 'Bearer realm="http://auth.example/token"'}
        )

    with (
        RegistryClient(
            "registry.example", transport=httpx.MockTransport(handler), auth=("u", "p")
        ) as client,
        pytest.raises(Unauthenticated, match="plain-http"),
    ):
        client.get_manifest("team/app", "latest")
    assert contacted == ["registry.example"]


def test_httpx_strips_authorization_on_cross_origin_redirects() -> None:
    """The guarantee we rely on: Authorization is dropped when a redirect leaves the origin
    and kept on a same-origin redirect."""
    seen: dict[str, str | None] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen[f"{request.url.host}{request.url.path}"] = request.headers.get("authorization")
        if request.url.path.endswith("/manifests/latest"):
            return httpx.Response(307, headers={"Location": "/v2/team/app/manifests/moved"})
        if request.url.path.endswith("/manifests/moved"):
            return httpx.Response(307, headers={"Location": "https://cdn.example/blob"})
        return httpx.Response(404)

    auth = RegistryAuth(origin=ORIGIN, credentials=Credentials(registry_token="secret"))
    with httpx.Client(
        transport=httpx.MockTransport(handler), auth=auth, follow_redirects=True
    ) as client:
        client.get(MANIFEST_URL)
    assert seen == {
        "registry.example/v2/team/app/manifests/latest": "Bearer secret",
        "registry.example/v2/team/app/manifests/moved": "Bearer secret",
        "cdn.example/blob": None,
    }
