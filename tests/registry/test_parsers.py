"""The small pure parts of the registry layer: challenges, rate limits, retry policy, the
error table, media-type resolution and digest verification."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mstoolkit.registry as registry_pkg
from mstoolkit.digest import Digest
from mstoolkit.errors import (
    AlreadyExists,
    DigestMismatch,
    InvalidArgument,
    InvalidManifest,
    MstoolkitError,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
    UnsupportedMediaType,
)
from mstoolkit.mediatypes import (
    DOCKER_MANIFEST_LIST,
    DOCKER_SCHEMA1,
    DOCKER_SCHEMA1_SIGNED,
    DOCKER_SCHEMA2,
    OCI_INDEX,
    OCI_MANIFEST,
)
from mstoolkit.registry import RateLimit, RetryPolicy, parse_rate_limit
from mstoolkit.registry.challenge import parse_challenges
from mstoolkit.registry.errors import ERROR_CODES, error_for_response, parse_error_body
from mstoolkit.registry.protocol import next_link, parse_manifest_reference, referrers_tag
from mstoolkit.registry.retry import parse_retry_after
from mstoolkit.registry.verify import (
    content_digest,
    header_media_type,
    resolve_media_type,
    verify_digest,
)

# -- challenges ----------------------------------------------------------------------------


def test_docker_hub_challenge() -> None:
    """The three parameters of Docker Hub's challenge, unquoted."""
    (challenge,) = parse_challenges(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
        'scope="repository:library/alpine:pull"'
    )
    assert challenge.scheme == "bearer"
    assert challenge.get("realm") == "https://auth.docker.io/token"
    assert challenge.get("scope") == "repository:library/alpine:pull"


def test_several_challenges_commas_inside_quotes_and_escapes() -> None:
    """Commas in quoted values do not split; a new scheme starts a new challenge."""
    found = parse_challenges(
        'Bearer realm="r",scope="repository:a:pull,push",error="insufficient_scope", '
        'Basic realm="say \\"hi\\""'
    )
    assert [c.scheme for c in found] == ["bearer", "basic"]
    assert found[0].get("scope") == "repository:a:pull,push"
    assert found[1].get("realm") == 'say "hi"'


def test_challenges_from_several_headers_and_token68() -> None:
    """A list of header values is read in order; token68 credentials are kept."""
    found = parse_challenges(["Negotiate YWJj==", 'Basic realm="x"'])
    assert [(c.scheme, dict(c.params)) for c in found] == [
        ("negotiate", {"token68": "YWJj=="}),
        ("basic", {"realm": "x"}),
    ]


@given(st.text(max_size=300))
def test_challenge_parser_never_raises(header: str) -> None:
    """Any header text yields some (possibly no) challenges, never an exception."""
    for challenge in parse_challenges(header):
        assert challenge.scheme == challenge.scheme.lower()


# -- rate limits ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        (
            {"RateLimit-Limit": "100;w=21600", "RateLimit-Remaining": "99;w=21600"},
            RateLimit(100, 99, 21600, ""),
        ),
        ({"ratelimit-remaining": "7"}, RateLimit(None, 7, None, "")),
        ({"RateLimit-Limit": "10, 10;w=1, 50;w=60"}, RateLimit(10, None, None, "")),
        ({"RateLimit-Limit": '5;w="30";burst=1'}, RateLimit(5, None, 30, "")),
        ({"RateLimit-Limit": "lots"}, RateLimit(None, None, None, "")),
        ({"docker-ratelimit-source": " 1.2.3.4 "}, RateLimit(None, None, None, "1.2.3.4")),
    ],
)
def test_rate_limit_headers(headers: dict[str, str], expected: RateLimit | None) -> None:
    """Docker Hub's and the IETF draft's forms parse; junk gives None figures, not errors."""
    assert parse_rate_limit(httpx.Headers(headers)) == expected


# -- retry ---------------------------------------------------------------------------------


def test_retry_policy_decisions() -> None:
    """Which failures are retried, for which methods, and how long to wait."""
    policy = RetryPolicy(attempts=3, backoff=1.0, multiplier=2.0, max_backoff=3.0)
    assert policy.delay(method="GET", attempt=1, status=503, draw=0.5) == 0.5
    assert policy.delay(method="HEAD", attempt=2, status=None, draw=1.0) == 2.0
    assert policy.delay(method="GET", attempt=3, status=503) is None
    assert policy.delay(method="POST", attempt=1, status=503) is None
    assert policy.delay(method="GET", attempt=1, status=404) is None
    assert policy.delay(method="GET", attempt=1, status=501) is None
    assert policy.delay(method="GET", attempt=1, status=429, retry_after=7.0) == 7.0
    assert policy.delay(method="GET", attempt=1, status=429, retry_after=61.0) is None
    assert policy.backoff_delay(10, 1.0) == 3.0
    assert RetryPolicy.never().delay(method="GET", attempt=1, status=503) is None


@pytest.mark.parametrize("bad", [{"attempts": 0}, {"backoff": -1.0}, {"max_backoff": float("nan")}])
def test_retry_policy_refuses_nonsense(bad: dict[str, float]) -> None:
    """Impossible settings are InvalidArgument at construction."""
    with pytest.raises(InvalidArgument):
        RetryPolicy(**bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5", 5.0),
        (" 0 ", 0.0),
        ("Wed, 21 Oct 2015 07:28:10 GMT", 10.0),
        ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),
        ("soon", None),
        ("-3", None),
        (None, None),
    ],
)
def test_retry_after(value: str | None, expected: float | None) -> None:
    """Delta-seconds and HTTP dates; past dates mean now; junk means no advice."""
    assert parse_retry_after(value, now=1445412480.0) == expected


# -- the error table -----------------------------------------------------------------------


def _errors(code: str, message: str = "m") -> bytes:
    return json.dumps({"errors": [{"code": code, "message": message, "detail": {"x": 1}}]}).encode()


@pytest.mark.parametrize(
    ("code", "status", "category"),
    [
        ("MANIFEST_UNKNOWN", 404, NotFound),
        ("NAME_UNKNOWN", 404, NotFound),
        ("BLOB_UNKNOWN", 404, NotFound),
        ("UNAUTHORIZED", 401, Unauthenticated),
        ("DENIED", 403, PermissionDenied),
        ("TOOMANYREQUESTS", 429, Unavailable),
        ("UNSUPPORTED", 405, InvalidArgument),
        ("DIGEST_INVALID", 400, InvalidArgument),
        ("MANIFEST_INVALID", 400, InvalidManifest),
        ("NAME_INVALID", 400, InvalidArgument),
        ("UNKNOWN", 500, Unavailable),
        ("UNKNOWN", 409, AlreadyExists),
        ("SOMETHING_NEW", 413, ResourceExhausted),
        ("SOMETHING_NEW", 415, UnsupportedMediaType),
        ("SOMETHING_NEW", 418, InvalidArgument),
    ],
)
def test_error_table(code: str, status: int, category: type[MstoolkitError]) -> None:
    """Registry codes decide the category; unknown codes fall back to the HTTP status."""
    error = error_for_response(status, _errors(code), what="GET x")
    assert type(error) is category
    assert f"HTTP {status}" in str(error)
    assert "detail" not in str(error)


def test_every_code_in_the_table_maps_to_a_category() -> None:
    """The one table covers the OCI spec's codes, each to an mstoolkit category."""
    spec_codes = {
        "BLOB_UNKNOWN",
        "BLOB_UPLOAD_INVALID",
        "BLOB_UPLOAD_UNKNOWN",
        "DIGEST_INVALID",
        "MANIFEST_BLOB_UNKNOWN",
        "MANIFEST_INVALID",
        "MANIFEST_UNKNOWN",
        "NAME_INVALID",
        "NAME_UNKNOWN",
        "SIZE_INVALID",
        "UNAUTHORIZED",
        "DENIED",
        "UNSUPPORTED",
        "TOOMANYREQUESTS",
    }
    assert spec_codes <= set(ERROR_CODES)
    assert all(issubclass(c, MstoolkitError) for c in ERROR_CODES.values())


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"404 page not found",
        b"{}",
        b"[1]",
        b'{"errors": []}',
        b'{"errors": [3]}',
        b"\xff\xfe",
        b"[" * 100_000,
    ],
)
def test_odd_error_bodies_fall_back_to_the_status(body: bytes) -> None:
    """Plain text, empty, malformed or hostile bodies still give a NotFound for a 404."""
    error = error_for_response(404, body, what="GET x")
    assert isinstance(error, NotFound)
    assert len(str(error)) < 400


def test_error_body_parts() -> None:
    """The first error's code and message are kept; the count of the others too."""
    body = json.dumps({"errors": [{"code": "DENIED", "message": "no"}, {"code": "X"}]}).encode()
    parsed = parse_error_body(body)
    assert parsed is not None
    assert (parsed.code, parsed.message, parsed.count) == ("DENIED", "no", 2)
    assert "+1 more" in str(error_for_response(403, body, what="GET x"))


# -- media types and digests ---------------------------------------------------------------

OCI = json.dumps({"schemaVersion": 2, "config": {}, "layers": []}).encode()
LIST = json.dumps({"schemaVersion": 2, "mediaType": DOCKER_MANIFEST_LIST, "manifests": []}).encode()


@pytest.mark.parametrize(
    ("header", "body", "expected"),
    [
        (OCI_MANIFEST, OCI, (OCI_MANIFEST, OCI_MANIFEST)),
        ("", OCI, (OCI_MANIFEST, OCI_MANIFEST)),
        ("application/json", LIST, (DOCKER_MANIFEST_LIST, DOCKER_MANIFEST_LIST)),
        ("text/plain", LIST, (DOCKER_MANIFEST_LIST, DOCKER_MANIFEST_LIST)),
        (DOCKER_SCHEMA2, LIST, (DOCKER_MANIFEST_LIST, DOCKER_MANIFEST_LIST)),
        (OCI_INDEX, b"not json", (OCI_INDEX, "")),
        ("application/octet-stream", b"not json", ("application/octet-stream", "")),
        ("application/vnd.example+json", OCI, (OCI_MANIFEST, OCI_MANIFEST)),
    ],
)
def test_resolve_media_type(header: str, body: bytes, expected: tuple[str, str]) -> None:
    """Specific agreeing headers win; generic, missing or contradicted ones lose to the body."""
    assert resolve_media_type(header, body) == expected


def test_schema1_types_never_contradict_each_other() -> None:
    """The detector says v1+json for schema1; a prettyjws header is not contradicted by it."""
    unsigned = json.dumps({"schemaVersion": 1, "fsLayers": [], "history": []}).encode()
    assert resolve_media_type(DOCKER_SCHEMA1_SIGNED, unsigned) == (
        DOCKER_SCHEMA1_SIGNED,
        DOCKER_SCHEMA1,
    )
    assert resolve_media_type("application/json", unsigned) == (DOCKER_SCHEMA1, DOCKER_SCHEMA1)


def test_header_media_type() -> None:
    """Parameters and case are dropped."""
    assert header_media_type("Application/JSON; charset=utf-8") == "application/json"
    assert header_media_type(None) == ""


def test_verify_digest_rules() -> None:
    """Requested digest and DCD must agree with each other and with the body."""
    good = Digest.from_bytes(OCI)
    other = Digest.from_bytes(b"other")
    assert verify_digest(OCI, requested=good, docker_content_digest="") == good
    assert verify_digest(OCI, requested=None, docker_content_digest=str(good)) == good
    assert verify_digest(OCI, requested=None, docker_content_digest="") == good
    with pytest.raises(DigestMismatch):
        verify_digest(OCI, requested=other, docker_content_digest="")
    with pytest.raises(DigestMismatch):
        verify_digest(OCI, requested=None, docker_content_digest=str(other))
    with pytest.raises(DigestMismatch):
        verify_digest(OCI, requested=good, docker_content_digest=str(other))
    sha512 = Digest.from_bytes(OCI, "sha512")
    assert verify_digest(OCI, requested=sha512, docker_content_digest="") == sha512


def test_content_digest_of_unsigned_schema1_is_over_the_bytes() -> None:
    """Only signed schema1 uses the canonical payload."""
    unsigned = json.dumps({"schemaVersion": 1, "fsLayers": []}).encode()
    assert content_digest(unsigned) == Digest.from_bytes(unsigned)


def test_references_and_fallback_tags() -> None:
    """Tags stay tags, digests parse; the referrers fallback tag is <alg>-<hex>."""
    digest = Digest.from_bytes(b"x")
    assert parse_manifest_reference("v1.0_rc-1") == ("v1.0_rc-1", None)
    assert parse_manifest_reference(digest) == (str(digest), digest)
    assert parse_manifest_reference(str(digest)) == (str(digest), digest)
    assert referrers_tag(digest) == f"sha256-{digest.encoded}"
    assert len(referrers_tag(Digest.from_bytes(b"x", "sha512"))) == 128


def test_next_link_variants() -> None:
    """rel=next is found among several links, quoted or not."""
    headers = httpx.Headers(
        [("Link", '<https://a/prev>; rel="prev", </v2/x?last=b>; rel=next'), ("Link", "<z>")]
    )
    assert next_link(headers) == "/v2/x?last=b"
    assert next_link(httpx.Headers({"Link": '<a>; rel="last"'})) is None


def test_package_exports_the_contract_names() -> None:
    """mstoolkit.registry exposes the agreed surface."""
    for name in (
        "RegistryClient",
        "AsyncRegistryClient",
        "FetchedManifest",
        "RateLimit",
        "RetryPolicy",
    ):
        assert name in registry_pkg.__all__
