"""Faults a real registry cannot show, injected by a loopback proxy in front of the real one."""

from __future__ import annotations

import asyncio
import json

import pytest

from mstoolkit.errors import (
    DigestMismatch,
    NotFound,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
)
from mstoolkit.mediatypes import DOCKER_SCHEMA2, OCI_MANIFEST
from mstoolkit.registry import AsyncRegistryClient, RegistryClient, RetryPolicy
from tests.support.fault_proxy import Fault, FaultProxy, ProxyFactory
from tests.support.registry_server import RegistryServer

pytestmark = pytest.mark.registry

HELLO = "sha256:69f9da0f1a62b2b7a694cd209e09d409edaf373a0bd7fd425495a5879219ba8d"
TINY_OCI = "sha256:4f897fbacbdb80e5c5020d4641ffd163ecded2141878841e7b007be8adff4395"
MANIFESTS = r"/manifests/"
BIG = 64 * 1024 * 1024


class Sleeps(list[float]):
    """An injected sleep that records the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _client(proxy: FaultProxy, sleeps: Sleeps | None = None, **kwargs: object) -> RegistryClient:
    return RegistryClient(
        proxy.host,
        insecure=True,
        sleep=sleeps if sleeps is not None else Sleeps(),
        random=lambda: 0.5,
        **kwargs,  # type: ignore[arg-type]
    )


def _manifest_requests(proxy: FaultProxy) -> int:
    return sum(1 for r in proxy.requests if MANIFESTS in r.path)


# -- lies ----------------------------------------------------------------------------------


def test_tampered_body_by_digest_is_a_mismatch(fault_proxy: FaultProxy) -> None:
    """One flipped byte under a requested digest raises DigestMismatch and returns nothing."""
    fault_proxy.add(Fault(path=MANIFESTS, tamper=True))
    with _client(fault_proxy) as client, pytest.raises(DigestMismatch) as info:
        client.get_manifest("library/hello", HELLO)
    assert info.value.expected == HELLO
    assert info.value.actual != HELLO


def test_tampered_body_by_tag_is_a_mismatch_against_docker_content_digest(
    fault_proxy: FaultProxy,
) -> None:
    """By tag, the body must hash to Docker-Content-Digest; a tampered one does not."""
    fault_proxy.add(Fault(path=MANIFESTS, tamper=True))
    with _client(fault_proxy) as client, pytest.raises(DigestMismatch, match="Docker-Content"):
        client.get_manifest("library/hello", "latest")


def test_tampered_schema1_payload_is_a_mismatch(fault_proxy: FaultProxy) -> None:
    """Signed schema1 is checked over its canonical payload, so payload tampering is caught."""
    fault_proxy.add(Fault(path=MANIFESTS, tamper=True, tamper_offset=10))
    with _client(fault_proxy) as client, pytest.raises(DigestMismatch):
        client.get_manifest("library/tiny", "v2s1")


def test_docker_content_digest_that_lies_is_a_mismatch(fault_proxy: FaultProxy) -> None:
    """A DCD naming another digest fails both by tag and by digest."""
    fault_proxy.add(Fault(path=MANIFESTS, set_headers={"Docker-Content-Digest": TINY_OCI}))
    with _client(fault_proxy) as client:
        with pytest.raises(DigestMismatch):
            client.get_manifest("library/hello", "latest")
        with pytest.raises(DigestMismatch, match="answered"):
            client.get_manifest("library/hello", HELLO)
        with pytest.raises(DigestMismatch):
            client.head_manifest("library/hello", HELLO)


def test_invalid_docker_content_digest_is_a_mismatch(fault_proxy: FaultProxy) -> None:
    """A DCD that is not a digest at all cannot vouch for anything."""
    fault_proxy.add(Fault(path=MANIFESTS, set_headers={"Docker-Content-Digest": "sha256:zz"}))
    with _client(fault_proxy) as client, pytest.raises(DigestMismatch, match="invalid"):
        client.get_manifest("library/hello", "latest")


def test_missing_docker_content_digest_by_tag_computes_the_digest(
    fault_proxy: FaultProxy,
) -> None:
    """Without DCD a tag fetch cannot be checked, but its digest is computed from the body."""
    fault_proxy.add(Fault(path=MANIFESTS, drop_headers=("Docker-Content-Digest",)))
    with _client(fault_proxy) as client:
        fetched = client.get_manifest("library/hello", "latest")
        assert (fetched.digest, fetched.docker_content_digest) == (HELLO, "")
        schema1 = client.get_manifest("library/hello", "v2s1")
        assert schema1.digest == (
            "sha256:659434a53ff2b1ddfe424bf3a122e284c3c9c2c8f6c3d2692d9d46d90003bea4"
        )
        head = client.head_manifest("library/hello", "latest")
        assert str(head.digest) == HELLO


def test_generic_content_type_is_resolved_from_the_body(fault_proxy: FaultProxy) -> None:
    """application/json, text/plain or no header: the detector names the type; both recorded."""
    with _client(fault_proxy) as client:
        for header in ("application/json", "text/plain; charset=utf-8"):
            fault_proxy.clear()
            fault_proxy.add(Fault(path=MANIFESTS, set_headers={"Content-Type": header}))
            fetched = client.get_manifest("library/tiny", "oci")
            assert fetched.media_type == OCI_MANIFEST
            assert fetched.content_type == header.split(";")[0]
            assert fetched.detected_media_type == OCI_MANIFEST
        fault_proxy.clear()
        fault_proxy.add(Fault(path=MANIFESTS, drop_headers=("Content-Type",)))
        fetched = client.get_manifest("library/hello", "v2s2")
        assert (fetched.media_type, fetched.content_type) == (DOCKER_SCHEMA2, "")
        head = client.head_manifest("library/hello", "v2s2")
        assert head.media_type == DOCKER_SCHEMA2


def test_contradicting_content_type_loses_to_the_body(fault_proxy: FaultProxy) -> None:
    """A schema2 header on an OCI manifest body: the body's type wins, the header is kept."""
    fault_proxy.add(Fault(path=MANIFESTS, set_headers={"Content-Type": DOCKER_SCHEMA2}))
    with _client(fault_proxy) as client:
        fetched = client.get_manifest("library/tiny", "oci")
    assert fetched.media_type == OCI_MANIFEST
    assert fetched.content_type == DOCKER_SCHEMA2
    assert fetched.digest == TINY_OCI


# -- size limits ---------------------------------------------------------------------------


@pytest.mark.parametrize("declare", [True, False], ids=["content-length", "chunked"])
def test_oversize_body_is_refused_without_reading_the_rest(
    fault_proxy: FaultProxy, declare: bool
) -> None:
    """A 64 MiB manifest is refused (ResourceExhausted) long before the proxy could send it."""
    fault_proxy.add(Fault(path=MANIFESTS, replace_body=(BIG, declare)))
    with _client(fault_proxy) as client, pytest.raises(ResourceExhausted, match="larger than"):
        client.get_manifest("library/hello", "latest")
    assert fault_proxy.body_bytes_sent < BIG // 2
    assert _manifest_requests(fault_proxy) == 1


def test_max_manifest_bytes_is_the_limit(fault_proxy: FaultProxy) -> None:
    """A limit below a real manifest's size refuses it; the default accepts it."""
    with (
        _client(fault_proxy, max_manifest_bytes=100) as small,
        pytest.raises(ResourceExhausted),
    ):
        small.get_manifest("library/hello", "latest")
    with _client(fault_proxy) as default:
        assert default.get_manifest("library/hello", "latest").digest == HELLO


def test_oversize_error_body_is_truncated_not_fatal(fault_proxy: FaultProxy) -> None:
    """A huge 404 body is read only up to the error cap; the error is still NotFound."""
    body = json.dumps({"errors": [{"code": "MANIFEST_UNKNOWN", "message": "x" * 10}]}).encode()
    fault_proxy.add(Fault(path=MANIFESTS, respond=(404, {}, body + b" " * (2 * 1024 * 1024))))
    with _client(fault_proxy) as client, pytest.raises(NotFound):
        client.get_manifest("library/hello", "latest")


# -- resilience ----------------------------------------------------------------------------


def test_429_with_retry_after_is_honoured_then_succeeds(fault_proxy: FaultProxy) -> None:
    """Two 429s with Retry-After: 1 are waited out (1 s each, injected) before success."""
    fault_proxy.add(
        Fault(path=MANIFESTS, times=2, respond=(429, {"Retry-After": "1"}, b'{"errors":[]}'))
    )
    sleeps = Sleeps()
    with _client(fault_proxy, sleeps) as client:
        assert client.get_manifest("library/hello", "latest").digest == HELLO
    assert sleeps == [1.0, 1.0]
    assert _manifest_requests(fault_proxy) == 3


def test_retry_after_beyond_the_cap_gives_up_at_once(fault_proxy: FaultProxy) -> None:
    """A registry asking for an hour's pause gets Unavailable immediately, no sleeping."""
    body = json.dumps({"errors": [{"code": "TOOMANYREQUESTS", "message": "slow down"}]}).encode()
    fault_proxy.add(Fault(path=MANIFESTS, respond=(429, {"Retry-After": "3600"}, body)))
    sleeps = Sleeps()
    with _client(fault_proxy, sleeps) as client, pytest.raises(Unavailable, match="TOOMANY"):
        client.get_manifest("library/hello", "latest")
    assert sleeps == []
    assert _manifest_requests(fault_proxy) == 1


def test_5xx_then_success_backs_off_with_jitter(fault_proxy: FaultProxy) -> None:
    """A 503 then a 502 are retried with full-jitter backoff (draw 0.5: 0.125 s, 0.25 s)."""
    fault_proxy.add(Fault(path=MANIFESTS, times=1, respond=(503, {}, b"busy")))
    fault_proxy.add(Fault(path=MANIFESTS, times=1, respond=(502, {}, b"bad gateway")))
    sleeps = Sleeps()
    with _client(fault_proxy, sleeps) as client:
        assert client.get_manifest("library/hello", "latest").digest == HELLO
    assert sleeps == [0.125, 0.25]


def test_persistent_5xx_gives_up_after_the_policy_attempts(fault_proxy: FaultProxy) -> None:
    """Four attempts (the default), then Unavailable naming the status."""
    fault_proxy.add(Fault(path=MANIFESTS, respond=(500, {}, b"")))
    sleeps = Sleeps()
    with _client(fault_proxy, sleeps) as client, pytest.raises(Unavailable, match="HTTP 500"):
        client.get_manifest("library/hello", "latest")
    assert _manifest_requests(fault_proxy) == 4
    assert len(sleeps) == 3


def test_404_is_not_retried(fault_proxy: FaultProxy) -> None:
    """A definite answer (404) is returned at once."""
    with _client(fault_proxy) as client, pytest.raises(NotFound):
        client.get_manifest("library/hello", "nope")
    assert _manifest_requests(fault_proxy) == 1


@pytest.mark.parametrize("after", [-1, 100], ids=["before-response", "mid-body"])
def test_connection_reset_is_retried(fault_proxy: FaultProxy, after: int) -> None:
    """A reset before the answer or in the middle of the body is retried; the retry succeeds."""
    fault_proxy.add(Fault(path=MANIFESTS, times=1, reset=after))
    sleeps = Sleeps()
    with _client(fault_proxy, sleeps) as client:
        assert client.get_manifest("library/hello", "latest").digest == HELLO
    assert len(sleeps) == 1
    assert _manifest_requests(fault_proxy) == 2


def test_resets_without_retries_are_unavailable(fault_proxy: FaultProxy) -> None:
    """With RetryPolicy.never(), a reset surfaces as Unavailable (chained from httpx)."""
    fault_proxy.add(Fault(path=MANIFESTS, reset=-1))
    with (
        _client(fault_proxy, retries=RetryPolicy.never()) as client,
        pytest.raises(Unavailable) as info,
    ):
        client.get_manifest("library/hello", "latest")
    assert info.value.__cause__ is not None


def test_slow_responses_time_out_and_are_retried(fault_proxy: FaultProxy) -> None:
    """A response slower than the timeout is retried, then reported as timed out."""
    fault_proxy.add(Fault(path=MANIFESTS, delay=1.0))
    with (
        _client(fault_proxy, timeout=0.2, retries=RetryPolicy(attempts=2)) as client,
        pytest.raises(Unavailable, match="timed out"),
    ):
        client.get_manifest("library/hello", "latest")
    assert _manifest_requests(fault_proxy) == 2


def test_async_client_retries_429_and_detects_tampering(fault_proxy: FaultProxy) -> None:
    """The async client follows the same retry and verification rules."""
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async def scenario() -> str:
        async with AsyncRegistryClient(
            fault_proxy.host, insecure=True, sleep=sleep, random=lambda: 0.5
        ) as client:
            fault_proxy.add(
                Fault(path=MANIFESTS, times=1, respond=(429, {"Retry-After": "2"}, b""))
            )
            digest = (await client.get_manifest("library/hello", "latest")).digest
            fault_proxy.add(Fault(path=MANIFESTS, tamper=True))
            with pytest.raises(DigestMismatch):
                await client.get_manifest("library/hello", HELLO)
            return digest

    assert asyncio.run(scenario()) == HELLO
    assert waits == [2.0]


# -- auth across origins -------------------------------------------------------------------


def _has_auth(request_headers: dict[str, str]) -> bool:
    return "authorization" in {k.lower() for k in request_headers}


def test_basic_credentials_do_not_follow_a_cross_origin_redirect(
    htpasswd_registry: RegistryServer, fault_proxy_for: ProxyFactory
) -> None:
    """A redirect to another origin loses Authorization (httpx strips it), and that origin's
    own 401 challenge is not answered with our credentials."""
    front = fault_proxy_for(htpasswd_registry)
    other = fault_proxy_for(htpasswd_registry)
    with _client(front, auth=htpasswd_registry.credentials) as client:
        client.ping()
        front.add(Fault(path=MANIFESTS, redirect=other.url))
        with pytest.raises(Unauthenticated):
            client.get_manifest("library/hello", "latest")
    assert _has_auth(front.requests[-1].headers)
    assert other.requests
    assert not any(_has_auth(r.headers) for r in other.requests)


def test_bearer_token_does_not_follow_a_cross_origin_redirect(
    token_registry: RegistryServer, fault_proxy_for: ProxyFactory
) -> None:
    """A cached bearer token is stripped when the registry redirects elsewhere."""
    front = fault_proxy_for(token_registry)
    other = fault_proxy_for(token_registry)
    with _client(front, auth=token_registry.credentials) as client:
        client.get_manifest("library/hello", "latest")
        front.add(Fault(path=MANIFESTS, redirect=other.url))
        with pytest.raises(Unauthenticated):
            client.get_manifest("library/hello", "v2s2")
    assert _has_auth(front.requests[-1].headers)
    assert not any(_has_auth(r.headers) for r in other.requests)


def test_same_origin_redirect_keeps_working(
    htpasswd_registry: RegistryServer, fault_proxy_for: ProxyFactory
) -> None:
    """A redirect within the registry's origin is followed with credentials."""
    front = fault_proxy_for(htpasswd_registry)
    with _client(front, auth=htpasswd_registry.credentials) as client:
        client.ping()
        front.add(Fault(path=MANIFESTS, times=1, redirect=front.url))
        assert client.get_manifest("library/hello", "latest").digest == HELLO
    assert [_has_auth(r.headers) for r in front.requests[-2:]] == [True, True]


@pytest.mark.parametrize(
    "realm",
    [
        "http://169.254.169.254/latest/meta-data",
        "http://10.1.2.3/token",
        "http://localhost:9/token",
        "http://[::1]:9/token",
        "ftp://example.com/token",
    ],
)
def test_hostile_token_realm_is_refused_without_contact(
    token_registry: RegistryServer, fault_proxy_for: ProxyFactory, realm: str
) -> None:
    """A challenge pointing at an internal address (not the registry's own host) is refused:
    no credentials leave, Unauthenticated names the realm."""
    front = fault_proxy_for(token_registry)
    challenge = f'Bearer realm="{realm}",service="registry-harness"'
    front.add(Fault(path=MANIFESTS, set_headers={"WWW-Authenticate": challenge}))
    issuer = token_registry.token_issuer
    assert issuer is not None
    before = len(issuer.requests)
    with (
        _client(front, auth=token_registry.credentials) as client,
        pytest.raises(Unauthenticated, match="refusing"),
    ):
        client.get_manifest("library/hello", "latest")
    assert len(issuer.requests) == before


def test_oversize_token_response_is_refused(
    token_registry: RegistryServer, fault_proxy_for: ProxyFactory
) -> None:
    """A token endpoint answering megabytes is cut off at the token cap."""
    issuer = token_registry.token_issuer
    assert issuer is not None
    front = fault_proxy_for(token_registry)
    realm_proxy = FaultProxy(issuer.realm.removesuffix("/token"))
    try:
        realm_proxy.add(Fault(path="/token", replace_body=(8 * 1024 * 1024, False)))
        challenge = (
            f'Bearer realm="{realm_proxy.url}/token",service="registry-harness",'
            'scope="repository:library/hello:pull"'
        )
        front.add(Fault(path=MANIFESTS, set_headers={"WWW-Authenticate": challenge}))
        with (
            _client(front, auth=token_registry.credentials) as client,
            pytest.raises(ResourceExhausted),
        ):
            client.get_manifest("library/hello", "latest")
        assert realm_proxy.body_bytes_sent < 8 * 1024 * 1024
    finally:
        realm_proxy.stop()
