"""The registry clients against hostile answers not covered by tests/registry (faults through
the proxy, Link paging, bombs): odd headers, error bodies, statuses and listings, through
httpx.MockTransport, for the sync and the async client alike. Each gives an MstoolkitError of
the right category with a readable message, or a result that says what was there."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from mstoolkit.digest import Digest
from mstoolkit.errors import (
    DigestMismatch,
    InvalidArgument,
    MstoolkitError,
    NotFound,
    Unauthenticated,
    Unavailable,
)
from mstoolkit.mediatypes import OCI_INDEX, OCI_MANIFEST
from mstoolkit.registry import (
    AsyncRegistryClient,
    DockerConfig,
    RegistryAuth,
    RegistryClient,
    RetryPolicy,
)
from mstoolkit.registry.retry import parse_retry_after

Handler = Callable[[httpx.Request], httpx.Response]
Headers = dict[str, str | bytes] | list[tuple[str, str | bytes]]

MANIFEST = json.dumps({
    "schemaVersion": 2, "mediaType": OCI_MANIFEST,
    "config": {"mediaType": "a/b", "digest": str(Digest.from_bytes(b"c")), "size": 1},
    "layers": [],
}).encode()
DIGEST = str(Digest.from_bytes(MANIFEST))


def _answer(status: int, body: bytes = b"", headers: Headers | None = None) -> Handler:
    return lambda _request: httpx.Response(status, content=body, headers=headers or {})


def _sync(handler: Handler, op: Callable[[RegistryClient], object]) -> object:
    with RegistryClient("registry.example", transport=httpx.MockTransport(handler),
                        auth=RegistryAuth(origin="https://registry.example/"),
                        sleep=lambda _s: None, retries=RetryPolicy(attempts=2)) as client:
        return op(client)


def _async(handler: Handler, op: Callable[[AsyncRegistryClient], Awaitable[object]]) -> object:
    async def go() -> object:
        async with AsyncRegistryClient(
            "registry.example", transport=httpx.MockTransport(handler),
            auth=RegistryAuth(origin="https://registry.example/"),
            retries=RetryPolicy(attempts=2, backoff=0.0),
        ) as client:
            return await op(client)

    return asyncio.run(go())


def _both(handler: Handler, sync_op: Callable[[RegistryClient], object],
          async_op: Callable[[AsyncRegistryClient], Awaitable[object]]) -> list[object]:
    """Each client's result, or the MstoolkitError it raised (anything else fails the test)."""
    out: list[object] = []
    for run in (lambda: _sync(handler, sync_op), lambda: _async(handler, async_op)):
        try:
            out.append(run())
        except MstoolkitError as exc:
            out.append(exc)
    return out


def _get(client: RegistryClient) -> object:
    return client.get_manifest("team/app", "v1")


async def _aget(client: AsyncRegistryClient) -> object:
    return await client.get_manifest("team/app", "v1")


def _assert_error(result: object, category: type[MstoolkitError], *words: str) -> None:
    assert isinstance(result, category), repr(result)
    text = str(result)
    assert text.startswith(("GET registry.example/team/app", "HEAD registry.example",
                            "registry sent", "manifest body"))
    for word in words:
        assert word in text, text


@pytest.mark.parametrize(
    ("retry_after", "status"),
    [("9" * 400, 503), ("9" * 400, 429), ("\xb2", 503), ("-5", 503), ("nan", 429),
     (b"\xff\x00", 503)],
    ids=["400-digits-503", "400-digits-429", "superscript-two", "negative", "nan", "binary"],
)
def test_hostile_retry_after_gives_up_or_backs_off(retry_after: str | bytes,
                                                   status: int) -> None:
    """A Retry-After of 400 digits (OverflowError in float()), a superscript digit ("²" passes
    str.isdigit but not int()) or garbage ends in Unavailable, not a crash."""
    headers: Headers = [("Retry-After", retry_after.encode("latin-1")
                         if isinstance(retry_after, str) else retry_after)]
    for result in _both(_answer(status, b"", headers), _get, _aget):
        _assert_error(result, Unavailable, f"HTTP {status}")


def test_parse_retry_after_bounds() -> None:
    """Huge delta-seconds are infinite (beyond any cap); non-ASCII digits are unparseable."""
    assert parse_retry_after("9" * 400, now=0.0) == float("inf")
    assert parse_retry_after("\xb2", now=0.0) is None
    assert parse_retry_after("\u0661", now=0.0) is None
    assert parse_retry_after(" 120 ", now=0.0) == 120.0


@pytest.mark.parametrize(
    ("status", "body", "category", "words"),
    [(404, b"{not json", NotFound, ("HTTP 404",)),
     (401, json.dumps({"errors": {"code": "X"}}).encode(), Unauthenticated, ("HTTP 401",)),
     (400, json.dumps({"errors": [5, None, {"code": 5, "message": [1]}]}).encode(),
      InvalidArgument, ("HTTP 400",)),
     (400, b'{"errors":[{"code":"\xff\xfe","message":"\xff"}]}', InvalidArgument,
      ("HTTP 400",)),
     (600, b"", Unavailable, ("HTTP 600",)), (204, b"", InvalidArgument, ("HTTP 204",)),
     (301, b"", InvalidArgument, ("HTTP 301",))],
    ids=["404-not-json", "401-errors-object", "400-errors-junk", "400-not-utf8", "status-600",
         "204-empty", "301-no-location"],
)
def test_odd_error_answers_map_to_categories(status: int, body: bytes,
                                             category: type[MstoolkitError],
                                             words: tuple[str, ...]) -> None:
    """Error bodies that are not distribution's shape, or not text, and statuses outside the
    table fall back to the status's category with a readable message."""
    for result in _both(_answer(status, body), _get, _aget):
        _assert_error(result, category, *words)


def test_huge_error_message_is_truncated() -> None:
    """A 1 MB error message is cut (the error body limit), not carried whole into the error."""
    body = json.dumps({"errors": [{"code": "MANIFEST_INVALID", "message": "x" * 1_000_000}]})
    for result in _both(_answer(400, body.encode()), _get, _aget):
        _assert_error(result, InvalidArgument, "HTTP 400")
        assert len(str(result)) < 100_000


@pytest.mark.parametrize(
    ("headers", "words"),
    [({"Docker-Content-Digest": b"\xff\x00garbage"}, ("invalid Docker-Content-Digest",)),
     ([("Docker-Content-Digest", DIGEST), ("Docker-Content-Digest", "sha256:" + "b" * 64)],
      ("invalid Docker-Content-Digest",)),
     ({"Docker-Content-Digest": "sha512:" + "a" * 128}, ("sha512",)),
     ({"Docker-Content-Digest": "sha256:" + "A" * 64}, ("invalid Docker-Content-Digest",))],
    ids=["binary", "two-values", "other-algorithm", "upper-hex"],
)
def test_docker_content_digest_garbage_is_a_mismatch(headers: Headers,
                                                     words: tuple[str, ...]) -> None:
    """A Docker-Content-Digest that is binary, doubled, of another algorithm or malformed is
    DigestMismatch: the body is never trusted under it."""
    for result in _both(_answer(200, MANIFEST, headers), _get, _aget):
        _assert_error(result, DigestMismatch, *words)


@pytest.mark.parametrize(
    "headers",
    [{"Content-Type": b"\xff;;;=;charset=\x00", "Docker-Content-Digest": DIGEST},
     {"Content-Length": "abc", "Docker-Content-Digest": DIGEST},
     {"X-Big": "a" * 1_000_000, "Docker-Content-Digest": DIGEST},
     {"RateLimit-Limit": "abc;w=x", "RateLimit-Remaining": b"-5;w=\xff",
      "Docker-Content-Digest": DIGEST},
     {"RateLimit-Limit": "9" * 400 + ";w=" + "9" * 400, "RateLimit-Remaining": "9" * 400,
      "Docker-Content-Digest": DIGEST}],
    ids=["content-type-binary", "content-length-garbage", "megabyte-header",
         "ratelimit-garbage", "ratelimit-400-digits"],
)
def test_odd_headers_on_a_good_body_still_fetch(headers: Headers) -> None:
    """Garbage Content-Type, Content-Length or RateLimit headers and a 1 MB header do not stop
    a body whose digest verifies; the media type comes from the body."""
    for result in _both(_answer(200, MANIFEST, headers), _get, _aget):
        assert not isinstance(result, MstoolkitError), repr(result)
        assert result.detected_media_type == OCI_MANIFEST  # type: ignore[attr-defined]
        assert str(result.descriptor.digest) == DIGEST  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "header",
    ['Bearer realm="\x00", service=, scope="', "Negotiate abc", "Bearer",
     'Bearer realm="https://registry.example/t' + "a" * 100_000 + '"', ",,,,", "\xff"],
    ids=["unterminated", "unknown-scheme", "no-params", "huge-realm", "commas", "latin1"],
)
def test_malformed_www_authenticate_is_unauthenticated(header: str) -> None:
    """A 401 whose challenge cannot be answered is Unauthenticated, never a parser crash."""
    headers: Headers = [("WWW-Authenticate", header.encode("latin-1"))]
    for result in _both(_answer(401, b"", headers), _get, _aget):
        assert isinstance(result, Unauthenticated | InvalidArgument), repr(result)
        assert str(result)


def _listing(body: bytes, headers: Headers | None = None) -> list[object]:
    def tags(client: RegistryClient) -> object:
        return list(client.tags("team/app"))

    async def atags(client: AsyncRegistryClient) -> object:
        return [tag async for tag in client.tags("team/app")]

    return _both(_answer(200, body, headers), tags, atags)


@pytest.mark.parametrize(
    "body",
    [json.dumps({"tags": {"a": 1}}).encode(), b'{"tags":["\xff\xfe"]}',
     b'{"tags":' + b"[" * 100_000 + b"]" * 100_000 + b"}", b"\x00", b'{"tags": [null]}'],
    ids=["tags-dict", "not-utf8", "deep", "nul", "null-tag"],
)
def test_hostile_tag_lists_are_invalid_argument(body: bytes) -> None:
    """A tags listing that is a dict, not UTF-8, 100k levels deep or NUL is InvalidArgument."""
    for result in _listing(body):
        assert isinstance(result, InvalidArgument), repr(result)
        assert "tags" in str(result)


@pytest.mark.parametrize(
    "link",
    ["<<<>>>; rel=next", "</v2/team/app/tags/list?n=1>", b"<\xff\x00>; rel=\"next\"", ""],
    ids=["brackets", "no-rel", "binary", "empty"],
)
def test_odd_link_headers_end_the_listing_or_are_invalid(link: str | bytes) -> None:
    """A Link header that names no usable next page ends the listing after the page (or is
    InvalidArgument); it never loops or crashes."""
    for result in _listing(json.dumps({"tags": ["a"]}).encode(), [("Link", link)]):
        assert result == ["a"] or isinstance(result, InvalidArgument), repr(result)


def test_catalog_repositories_dict_is_invalid() -> None:
    """A _catalog whose repositories are a dict is InvalidArgument."""
    body = json.dumps({"repositories": {"a": 1}}).encode()

    async def acatalog(client: AsyncRegistryClient) -> Any:
        return [repo async for repo in client.catalog()]

    for result in _both(_answer(200, body), lambda c: list(c.catalog()), acatalog):
        assert isinstance(result, InvalidArgument), repr(result)


@pytest.mark.parametrize(
    "index",
    [{"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": {"a": 1}},
     {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [5, {"digest": "x"}]},
     {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [{"digest": DIGEST, "size": 2**63,
                                                                 "mediaType": OCI_MANIFEST}]}],
    ids=["manifests-dict", "entries-junk", "size-past-int64"],
)
def test_hostile_referrers_index_is_invalid(index: dict[str, object]) -> None:
    """A referrers answer whose entries are not descriptors is an InvalidArgument category."""
    body = json.dumps(index).encode()
    headers = {"Content-Type": OCI_INDEX}

    async def areferrers(client: AsyncRegistryClient) -> object:
        return await client.referrers("team/app", DIGEST)

    for result in _both(_answer(200, body, headers),
                        lambda c: c.referrers("team/app", DIGEST), areferrers):
        assert isinstance(result, InvalidArgument), repr(result)


@pytest.mark.parametrize(
    ("config", "words"),
    [({"auths": {"r.example": {"auth": "é"}}}, ("is not base64",)),
     ({"auths": {"r.example": {"auth": "\x00"}}}, ("is not base64",)),
     ({"auths": {"r.example": {"auth": "/w=="}}}, ("is not base64",)),
     ({"auths": {"r.example": {"auth": "YQ=="}}}, ("user:password",))],
    ids=["non-ascii", "nul", "not-utf8", "no-colon"],
)
def test_docker_config_auth_garbage_is_invalid_argument(config: dict[str, Any],
                                                        words: tuple[str, ...]) -> None:
    """An 'auth' entry that is not ASCII base64 of UTF-8 user:password is InvalidArgument
    naming the registry ('é' raised ValueError from b64decode)."""
    with pytest.raises(InvalidArgument) as caught:
        DockerConfig(config).credentials_for("r.example")
    assert "r.example" in str(caught.value)
    for word in words:
        assert word in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [b"", b"\xff\xfe", b"[" * 100_000, b"[1]", b'"x"', b"{" + b" " * 10 + b"}"],
    ids=["empty", "not-utf8", "deep", "array", "string", "blank-object"],
)
def test_docker_config_files_that_are_not_objects(tmp_path: Path, text: bytes) -> None:
    """A config.json that is empty loads as no credentials; one that is not a JSON object is
    InvalidArgument naming the file."""
    path = tmp_path / "config.json"
    path.write_bytes(text)
    if text.strip() in (b"", b"{}") or text.startswith(b"{"):
        assert DockerConfig.load(path).credentials_for("r.example") is None
        return
    with pytest.raises(InvalidArgument, match="docker config"):
        DockerConfig.load(path)


def test_lone_surrogate_escapes_in_listings_become_u_fffd() -> None:
    """"\\ud800" in a tags or _catalog answer is U+FFFD, as Go decodes it (json.loads kept a
    lone surrogate, which no file or SQLite row can hold); pairs stay characters."""
    body = b'{"tags":["t","x\\udcff","\\ud800","\\ud83d\\ude00"],"repositories":["a\\udfff"]}'
    for result in _listing(body):
        assert result == ["t", "x\ufffd", "\ufffd", "\U0001F600"]

    async def acatalog(client: AsyncRegistryClient) -> Any:
        return [repo async for repo in client.catalog()]

    for result in _both(_answer(200, body), lambda c: list(c.catalog()), acatalog):
        assert result == ["a\ufffd"]
