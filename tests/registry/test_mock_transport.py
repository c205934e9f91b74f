"""Client behaviour for answers the seeded 2.8 registry never gives (referrers API, Link paging
of tags, gzip bombs, endless streams, connect errors), through httpx.MockTransport."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
from collections.abc import Callable, Iterator

import httpx
import pytest

from mstoolkit.digest import Digest
from mstoolkit.errors import (
    InvalidArgument,
    InvalidReference,
    NotFound,
    ResourceExhausted,
    Unavailable,
)
from mstoolkit.mediatypes import DOCKER_SCHEMA2, OCI_INDEX, OCI_MANIFEST
from mstoolkit.registry import AsyncRegistryClient, RegistryAuth, RegistryClient, RetryPolicy

Handler = Callable[[httpx.Request], httpx.Response]
ORIGIN = "https://registry.example/"
SUBJECT = Digest.from_bytes(b"subject")
MANIFEST = json.dumps(
    {
        "schemaVersion": 2,
        "mediaType": DOCKER_SCHEMA2,
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "digest": str(Digest.from_bytes(b"c")),
            "size": 1,
        },
        "layers": [],
    }
).encode()


class _Iter(httpx.SyncByteStream):
    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        return self._chunks


def _client(handler: Handler, **kwargs: object) -> RegistryClient:
    return RegistryClient(
        "registry.example",
        transport=httpx.MockTransport(handler),
        auth=RegistryAuth(origin="https://registry.example/"),
        sleep=lambda _s: None,
        **kwargs,  # type: ignore[arg-type]
    )


def _descriptor(name: str, artifact_type: str) -> dict[str, object]:
    return {
        "mediaType": OCI_MANIFEST,
        "digest": str(Digest.from_bytes(name.encode())),
        "size": 10,
        "artifactType": artifact_type,
    }


def test_referrers_api_pages_and_filters_client_side() -> None:
    """The referrers API is read page by page; without OCI-Filters-Applied we filter."""
    pages = {
        "1": (
            [_descriptor("sig", "application/sig"), _descriptor("sbom", "application/sbom")],
            f'</v2/team/app/referrers/{SUBJECT}?page=2>; rel="next"',
        ),
        "2": ([_descriptor("sbom2", "application/sbom")], None),
    }

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == f"/v2/team/app/referrers/{SUBJECT}"
        manifests, link = pages[request.url.params.get("page", "1")]
        headers = {"Content-Type": OCI_INDEX}
        if link:
            headers["Link"] = link
        body = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}
        return httpx.Response(200, json=body, headers=headers)

    with _client(handler) as client:
        everything = client.referrers("team/app", SUBJECT)
        sboms = client.referrers("team/app", str(SUBJECT), "application/sbom")
    assert [d.artifact_type for d in everything] == [
        "application/sig",
        "application/sbom",
        "application/sbom",
    ]
    assert len(sboms) == 2


def test_referrers_api_filter_applied_by_the_server_is_trusted() -> None:
    """With OCI-Filters-Applied: artifactType, the server's answer is taken as filtered."""

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.params["artifactType"] == "application/sbom"
        body = {"schemaVersion": 2, "manifests": [_descriptor("x", "application/other")]}
        return httpx.Response(200, json=body, headers={"OCI-Filters-Applied": "artifactType"})

    with _client(handler) as client:
        assert len(client.referrers("team/app", SUBJECT, "application/sbom")) == 1


def test_referrers_fallback_tag_that_is_not_an_index_is_not_found() -> None:
    """A fallback tag pointing at something other than an index is refused."""

    def handler(request: httpx.Request) -> httpx.Response:
        if "/referrers/" in request.url.path:
            return httpx.Response(404, text="404 page not found")
        assert request.url.path.endswith(f"/manifests/sha256-{SUBJECT.encoded}")
        return httpx.Response(200, content=MANIFEST, headers={"Content-Type": DOCKER_SCHEMA2})

    with _client(handler) as client, pytest.raises(NotFound, match="not an index"):
        client.referrers("team/app", SUBJECT)


def test_tags_follow_link_pages_and_refuse_links_off_the_registry() -> None:
    """tags() follows relative Link headers; a Link to another origin is refused."""

    def handler(request: httpx.Request) -> httpx.Response:
        last = request.url.params.get("last")
        if last is None:
            return httpx.Response(
                200,
                json={"tags": ["a", "b"]},
                headers={"Link": '</v2/team/app/tags/list?last=b&n=2>; rel="next"'},
            )
        if last == "b":
            return httpx.Response(
                200,
                json={"tags": ["c"]},
                headers={"Link": f'<{ORIGIN}v2/team/app/tags/list?last=c&n=2>; rel="next"'},
            )
        return httpx.Response(200, json={"name": "team/app", "tags": None})

    with _client(handler) as client:
        assert list(client.tags("team/app", page_size=2)) == ["a", "b", "c"]

    def evil(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={"tags": ["a"]},
            headers={"Link": '<https://evil.example/v2/team/app/tags/list?last=a>; rel="next"'},
        )

    with _client(evil) as client, pytest.raises(InvalidArgument, match="leaves the registry"):
        list(client.tags("team/app"))


def test_a_link_that_is_not_a_url_is_invalid_argument() -> None:
    """A Link target httpx cannot parse (a tab inside it) raises InvalidArgument, not InvalidURL."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={"tags": ["a"]},
            headers={"Link": '</v2/team/app/tags/list?last=a\tb>; rel="next"'},
        )

    with _client(handler) as client, pytest.raises(InvalidArgument, match="is not a URL"):
        list(client.tags("team/app"))


def test_a_link_loop_ends() -> None:
    """A registry whose next link points back at the same page does not loop forever."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json={"repositories": ["x"]}, headers={"Link": '</v2/_catalog?n=1>; rel="next"'}
        )

    with _client(handler) as client:
        assert list(client.catalog(page_size=1)) == ["x"]


@pytest.mark.parametrize("body", [b"[]", b"not json", b'{"tags": "x"}', b'{"tags": [1]}'])
def test_malformed_listings_are_invalid(body: bytes) -> None:
    """Tag lists that are not the documented shape raise InvalidArgument."""
    with (
        _client(lambda r: httpx.Response(200, content=body)) as client,
        pytest.raises(InvalidArgument),
    ):
        list(client.tags("team/app"))


def test_endless_stream_is_not_read_past_the_limit() -> None:
    """A body with no Content-Length is read only up to max_manifest_bytes (+ one chunk)."""
    produced: list[int] = []

    def endless() -> Iterator[bytes]:
        while True:
            produced.append(1)
            yield b"x" * 65536

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=_Iter(endless()))

    with (
        _client(handler, max_manifest_bytes=1024 * 1024) as client,
        pytest.raises(ResourceExhausted),
    ):
        client.get_manifest("team/app", "latest")
    assert len(produced) <= 17


def test_gzip_bomb_is_stopped_after_decompression() -> None:
    """A small gzip body that inflates past the limit is refused too (the raw cap alone would
    let it through)."""
    bomb = gzip.compress(b" " * (8 * 1024 * 1024))

    def handler(request: httpx.Request) -> httpx.Response:
        chunks = iter([bomb[i : i + 4096] for i in range(0, len(bomb), 4096)])
        return httpx.Response(200, stream=_Iter(chunks), headers={"Content-Encoding": "gzip"})

    with _client(handler) as client, pytest.raises(ResourceExhausted):
        client.get_manifest("team/app", "latest")


def test_connect_errors_are_retried_then_reported() -> None:
    """ConnectError is retried; a lasting one becomes Unavailable chained from httpx."""
    calls: list[int] = []
    digest = "sha256:" + hashlib.sha256(MANIFEST).hexdigest()

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) < 3:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(
            200,
            content=MANIFEST,
            headers={"Content-Type": DOCKER_SCHEMA2, "Docker-Content-Digest": digest},
        )

    with _client(flaky) as client:
        assert client.get_manifest("team/app", "latest").digest == digest
    assert len(calls) == 3

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with (
        _client(down, retries=RetryPolicy(attempts=2)) as client,
        pytest.raises(Unavailable, match="ConnectError") as info,
    ):
        client.ping()
    assert isinstance(info.value.__cause__, httpx.ConnectError)


def test_retry_after_http_date_uses_the_injected_clock() -> None:
    """Retry-After as an HTTP date is measured against the injected clock."""
    waits: list[float] = []
    answers = [
        httpx.Response(503, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:05 GMT"}),
        httpx.Response(200, json={}),
    ]
    with RegistryClient(
        "registry.example",
        transport=httpx.MockTransport(lambda r: answers.pop(0)),
        auth=RegistryAuth(origin="https://registry.example/"),
        sleep=waits.append,
        clock=lambda: 1445412480.0,
    ) as client:
        client.ping()
    assert waits == [5.0]


def test_fetched_manifest_repr_leaves_out_the_bytes() -> None:
    """A FetchedManifest prints its descriptor, not megabytes of JSON."""
    digest = "sha256:" + hashlib.sha256(MANIFEST).hexdigest()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=MANIFEST, headers={"Content-Type": DOCKER_SCHEMA2})

    with _client(handler) as client:
        fetched = client.get_manifest("team/app", "latest")
    assert fetched.digest == digest
    assert fetched.docker_content_digest == ""
    assert "schemaVersion" not in repr(fetched)
    assert "raw" not in repr(fetched)


@pytest.mark.parametrize(
    "registry", ["http://r.example", "r.example/path", "user@r.example", "", "r example"]
)
def test_registry_must_be_host_and_port(registry: str) -> None:
    """registry is host[:port]; schemes, paths and userinfo are refused."""
    with pytest.raises(InvalidArgument):
        RegistryClient(registry)


def test_invalid_digest_reference_is_refused() -> None:
    """A reference with ':' must be a valid digest."""
    with _client(lambda r: httpx.Response(500)) as client:
        with pytest.raises(InvalidArgument):
            client.get_manifest("team/app", "sha256:0000")
        with pytest.raises(InvalidReference):
            client.get_manifest("team/app", "-bad")


def test_async_client_bounds_concurrency() -> None:
    """No more than max_concurrency requests are ever in flight at once."""
    in_flight = 0
    peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return httpx.Response(200, content=MANIFEST, headers={"Content-Type": DOCKER_SCHEMA2})

    async def scenario() -> int:
        async with AsyncRegistryClient(
            "registry.example",
            transport=httpx.MockTransport(handler),
            auth=RegistryAuth(origin="https://registry.example/"),
            max_concurrency=3,
        ) as client:
            results = await asyncio.gather(
                *(client.get_manifest("team/app", f"t{i}") for i in range(20))
            )
            return len({r.digest for r in results})

    assert asyncio.run(scenario()) == 1
    assert peak == 3
