"""Schema1 canonical payloads and digests: fixtures, locally signed JWS, and a real registry."""

from __future__ import annotations

import base64
import json
import re
import urllib.request

import pytest
from cryptography.exceptions import InvalidSignature

from mstoolkit.digest import Digest
from mstoolkit.errors import InvalidJSON, InvalidManifest, MstoolkitError
from mstoolkit.manifest import schema1
from mstoolkit.manifest.models import DockerSchema1
from mstoolkit.manifest.parse import parse_manifest
from mstoolkit.manifest.schema1 import (
    jose_base64url_decode,
    manifest_digest,
    read_schema1_envelope,
    schema1_canonical_payload,
)
from mstoolkit.mediatypes import (
    DOCKER_SCHEMA1,
    DOCKER_SCHEMA1_SIGNED,
    DOCKER_SCHEMA2,
    OCI_MANIFEST,
)
from tests.support.fixtures_data import FIXTURES, provenance_rows
from tests.support.jws import b64url, new_key, sign_schema1, verify_schema1
from tests.support.registry_server import RegistryServer, read_inventory

PAYLOAD = json.dumps(
    {
        "schemaVersion": 1,
        "name": "library/hello",
        "tag": "latest",
        "architecture": "amd64",
        "fsLayers": [
            {"blobSum": str(Digest.from_bytes(b"top"))},
            {"blobSum": str(Digest.from_bytes(b"base"))},
        ],
        "history": [{"v1Compatibility": '{"id":"b"}'}, {"v1Compatibility": '{"id":"a"}'}],
    },
    indent="   ",
).encode()
COMPACT = json.dumps(json.loads(PAYLOAD), separators=(",", ":")).encode()


# -- the digests the fixtures' sources expect -------------------------------------------------

_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


def _quoted_digest_rows() -> list[tuple[str, str, bool]]:
    """(file, digest the source quotes, whether it must match) for schema1 and registry rows."""
    rows = []
    for row in provenance_rows():
        says = row["source_says"]
        found = _DIGEST.findall(says)
        if not found or "matches its name" in says:
            continue
        if "schema1" in says or "verifies against" in says or "registry digest" in says:
            rows.append((row["file"], found[0], "does NOT match" not in says))
        elif "matches these bytes" in says or "(verified)" in says:
            rows.append((row["file"], found[0], True))
        elif "does not match" in says:
            rows.append((row["file"], found[0], False))
    return sorted(set(rows))


QUOTED = _quoted_digest_rows()


def test_the_quoted_digest_rows_cover_the_sources_the_readme_names() -> None:
    """The PROVENANCE scan finds every source whose digest the fixtures README lists."""
    files = {file.rsplit("/", 1)[-1] for file, _, _ in QUOTED}
    assert {
        "v2s1.manifest.json",
        "v2s1-unsigned.manifest.json",
        "good_manifest",
        "extra_data_manifest",
        "manifest_test__rawDockerSchema1Signed.json",
        "tarball-README.md__L109.json",
    } <= files


@pytest.mark.parametrize(("file", "quoted", "matches"), QUOTED)
def test_manifest_digest_reproduces_the_digest_the_source_quotes(
    file: str, quoted: str, matches: bool
) -> None:
    """Signed schema1 by its JWS payload, everything else by its bytes, as the source says."""
    data = (FIXTURES / file).read_bytes()
    media_type = DOCKER_SCHEMA1 if b'"fsLayers"' in data else DOCKER_SCHEMA2
    digest = manifest_digest(data, media_type)
    assert (str(digest) == quoted) is matches


def test_bad_manifest_payload_differs_from_the_good_one() -> None:
    """moby's bad_manifest was altered inside the signed range, so its payload digest differs."""
    good = (FIXTURES / "blobs/moby/good_manifest").read_bytes()
    bad = (FIXTURES / "blobs/moby/bad_manifest").read_bytes()
    assert schema1_canonical_payload(good) != schema1_canonical_payload(bad)
    with pytest.raises(InvalidManifest, match="schema version 2"):
        parse_manifest(bad, DOCKER_SCHEMA1)


def test_extra_data_outside_the_signed_range_does_not_change_the_digest() -> None:
    """extra_data_manifest's additions after formatLength are not part of the payload."""
    good = (FIXTURES / "blobs/moby/good_manifest").read_bytes()
    extra = (FIXTURES / "blobs/moby/extra_data_manifest").read_bytes()
    assert good != extra
    assert schema1_canonical_payload(good) == schema1_canonical_payload(extra)


def test_leading_whitespace_is_trimmed_before_format_length_applies() -> None:
    """regclient's raw string starts with a newline; Go's json.Unmarshal drops it first."""
    data = (FIXTURES / "blobs/regclient/manifest_test__rawDockerSchema1Signed.json").read_bytes()
    assert data[:1] == b"\n"
    expected = "sha256:f3ef067962554c3352dc0c659ca563f73cc396fe0dea2a2c23a7964c6290f782"
    assert str(Digest.from_bytes(schema1_canonical_payload(data))) == expected
    envelope = read_schema1_envelope(data)
    untrimmed = data[: len(envelope.payload) - 2] + b"\n}"
    assert str(Digest.from_bytes(untrimmed)) != expected
    model = parse_manifest(data)
    assert isinstance(model, DockerSchema1)
    assert model.raw == data
    assert str(model.digest) == expected


def test_unsigned_twin_has_the_signed_manifests_digest() -> None:
    """containers/image's unsigned v2s1 is the signed one's payload byte for byte."""
    signed = (FIXTURES / "blobs/containers-image/v2s1.manifest.json").read_bytes()
    unsigned = (FIXTURES / "blobs/containers-image/v2s1-unsigned.manifest.json").read_bytes()
    assert schema1_canonical_payload(signed) == unsigned
    assert schema1_canonical_payload(unsigned) == unsigned
    assert read_schema1_envelope(unsigned).signed is False


# -- manifests signed here, as libtrust signs them ---------------------------------------------


@pytest.mark.parametrize("payload", [PAYLOAD, COMPACT], ids=["indented", "compact"])
@pytest.mark.parametrize("nkeys", [1, 2])
def test_locally_signed_manifest_digest_is_the_payload_digest(payload: bytes, nkeys: int) -> None:
    """A libtrust-style signature over a payload gives back exactly that payload and digest."""
    body = sign_schema1(payload, [new_key() for _ in range(nkeys)])
    assert body != payload
    assert schema1_canonical_payload(body) == payload
    assert manifest_digest(body, DOCKER_SCHEMA1_SIGNED) == Digest.from_bytes(payload)
    assert manifest_digest(body, DOCKER_SCHEMA1_SIGNED) != Digest.from_bytes(body)
    model = parse_manifest(body, DOCKER_SCHEMA1_SIGNED)
    assert isinstance(model, DockerSchema1)
    assert (model.signed, model.signatures) == (True, nkeys)
    assert model.canonical_payload == payload
    assert verify_schema1(body, model.canonical_payload) == nkeys


def test_resigning_changes_the_body_but_not_the_digest() -> None:
    """Two signings (new key, new time) of one payload share the canonical digest."""
    first = sign_schema1(PAYLOAD, [new_key()], time="2024-01-01T00:00:00Z")
    second = sign_schema1(PAYLOAD, [new_key()], time="2025-06-30T12:00:00Z")
    assert first != second
    assert parse_manifest(first).digest == parse_manifest(second).digest


def test_signature_does_not_verify_over_a_tampered_payload() -> None:
    """The verifier used above is a real check: a changed payload fails it."""
    body = sign_schema1(PAYLOAD, [new_key()])
    with pytest.raises(InvalidSignature):
        verify_schema1(body, PAYLOAD.replace(b"latest", b"latent"))


def test_schema1_model_reads_the_payload_not_the_outer_document() -> None:
    """Fields after the signed range (extra data) do not leak into the model."""
    body = sign_schema1(PAYLOAD, [new_key()])
    tampered = body[:-1] + b', "name": "evil/image"}'
    model = parse_manifest(tampered, DOCKER_SCHEMA1_SIGNED)
    assert isinstance(model, DockerSchema1)
    assert model.name == "library/hello"
    assert model.fs_layers == (Digest.from_bytes(b"top"), Digest.from_bytes(b"base"))
    assert model.history == ('{"id":"b"}', '{"id":"a"}')


# -- libtrust's checks ---------------------------------------------------------------------------


def _with_protected(header: object, *, body: bytes = PAYLOAD) -> bytes:
    """A signed body whose only protected header is *header* (JSON-encoded unless bytes/str)."""
    if isinstance(header, str):
        protected = header
    else:
        raw = header if isinstance(header, bytes) else json.dumps(header).encode()
        protected = b64url(raw)
    signature = {"header": {"alg": "ES256"}, "signature": "", "protected": protected}
    return body[:-2] + b',\n   "signatures": ' + json.dumps([signature]).encode() + b"\n}"


def _header(length: object, tail: object = "Cn0") -> dict[str, object]:
    return {"formatLength": length, "formatTail": tail, "time": "2024-01-01T00:00:00Z"}


LENGTH = len(PAYLOAD) - 2


def test_hand_built_envelope_matches_the_signer() -> None:
    """_with_protected builds what libtrust builds, so the error cases below are near misses."""
    assert schema1_canonical_payload(_with_protected(_header(LENGTH))) == PAYLOAD


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("!!!", "base64 decode error"),
        ("abcde", "base64 decode error: illegal base64url string"),
        (b"not json", "error unmarshalling protected header"),
        (b"[1]", "error unmarshalling protected header"),
        (b"null", "missing formatted length"),
        ({"formatTail": "Cn0"}, "missing formatted length"),
        (_header("12"), "missing formatted length"),
        (_header(True), "missing formatted length"),
        (_header(LENGTH, None), "missing formatted tail"),
        (_header(LENGTH, 5), "missing formatted tail"),
        (_header(LENGTH, "*"), "base64 decode error on tail"),
        (_header(10**9), "invalid format length"),
        (_header(-1), "invalid format length"),
    ],
)
def test_bad_protected_headers_are_invalid_manifests(header: object, message: str) -> None:
    """Every way libtrust refuses a protected header becomes InvalidManifest with its words."""
    body = _with_protected(header)
    with pytest.raises(InvalidManifest, match=message):
        schema1_canonical_payload(body)
    with pytest.raises(InvalidManifest, match=message):
        parse_manifest(body, DOCKER_SCHEMA1_SIGNED)


def test_format_length_is_truncated_like_a_go_int_conversion() -> None:
    """A fractional formatLength is cut toward zero, as Go's int(float64) does."""
    body = _with_protected(_header(LENGTH + 0.9))
    assert schema1_canonical_payload(body) == PAYLOAD


@pytest.mark.parametrize(
    ("signatures", "message"),
    [
        (1, "'signatures' is a number"),
        ({}, "'signatures' is an object"),
        ([], "'signatures' is empty"),
        (["x"], r"signatures\[0\]: error unmarshalling signatures"),
        ([{"protected": 5}], "'protected' is a number"),
        ([{"protected": "", "signature": 1}], "'signature' must be a string"),
        ([{"protected": "", "header": []}], "'header' is an array"),
        ([{"protected": "", "header": {"alg": 1}}], "'alg' must be a string"),
        ([{"protected": "", "header": {"x5c": [1]}}], "'x5c' must be an array of strings"),
        ([None], "error unmarshalling protected header"),
    ],
)
def test_bad_signature_arrays_are_invalid_manifests(signatures: object, message: str) -> None:
    """Signature blocks of the wrong shape fail as Go's decoder fails on them."""
    body = PAYLOAD[:-2] + b',"signatures":' + json.dumps(signatures).encode() + b"}"
    with pytest.raises(InvalidManifest, match=message):
        schema1_canonical_payload(body)


def test_null_signatures_mean_unsigned() -> None:
    """ "signatures": null is an unsigned manifest, whose digest is over its own bytes."""
    body = PAYLOAD[:-2] + b',"signatures":null}'
    envelope = read_schema1_envelope(body)
    assert (envelope.signed, envelope.payload) == (False, body)
    assert manifest_digest(body, DOCKER_SCHEMA1) == Digest.from_bytes(body)


def test_signature_types_are_checked_before_any_header_is_decoded() -> None:
    """Go decodes the whole array first: a type error in block 1 beats bad base64 in block 0."""
    blocks = [{"protected": "!!!", "header": {}}, {"protected": 7}]
    body = PAYLOAD[:-2] + b',"signatures":' + json.dumps(blocks).encode() + b"}"
    with pytest.raises(InvalidManifest, match=r"signatures\[1\]: .*'protected' is a number"):
        schema1_canonical_payload(body)


def test_missing_header_is_refused_where_libtrust_would_crash() -> None:
    """libtrust dereferences a nil header; we raise InvalidManifest instead."""
    protected = b64url(json.dumps(_header(LENGTH)).encode())
    body = PAYLOAD[:-2] + b',"signatures":' + json.dumps([{"protected": protected}]).encode()
    with pytest.raises(InvalidManifest, match="missing header"):
        schema1_canonical_payload(body + b"}")


@pytest.mark.parametrize("jwk", [None, 5, {}, {"kty": "OKP"}])
def test_unusable_jwk_is_refused(jwk: object) -> None:
    """A jwk libtrust cannot even classify (null, no kty, unknown kty) is refused."""
    protected = b64url(json.dumps(_header(LENGTH)).encode())
    block = {"header": {"jwk": jwk, "alg": "ES256"}, "protected": protected}
    body = PAYLOAD[:-2] + b',"signatures":' + json.dumps([block]).encode() + b"}"
    with pytest.raises(InvalidManifest, match="error unmarshalling public key"):
        schema1_canonical_payload(body)


def test_signatures_must_agree_on_the_format() -> None:
    """A second signature with another length or tail is a conflict; a zero length is not."""
    good = b64url(json.dumps(_header(LENGTH)).encode())
    other_length = b64url(json.dumps(_header(LENGTH - 1)).encode())
    other_tail = b64url(json.dumps(_header(LENGTH, "fQ")).encode())
    zero = b64url(json.dumps(_header(0)).encode())

    def body(*protected: str) -> bytes:
        blocks = [{"header": {"alg": "ES256"}, "protected": p} for p in protected]
        return PAYLOAD[:-2] + b',"signatures":' + json.dumps(blocks).encode() + b"}"

    with pytest.raises(InvalidManifest, match="conflicting format length"):
        schema1_canonical_payload(body(good, other_length))
    with pytest.raises(InvalidManifest, match="conflicting format tail"):
        schema1_canonical_payload(body(good, other_tail))
    # libtrust only fixes the length once it is non-zero: a zero first one is overridden.
    assert schema1_canonical_payload(body(zero, good)) == PAYLOAD


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", b""),
        ("YQ", b"a"),
        ("YWI", b"ab"),
        ("YWJj", b"abc"),
        ("YQ==", b"a"),
        ("YW\r\n\r\nI", b"ab"),
        ("-_8", b"\xfb\xff"),
    ],
)
def test_jose_base64url_decode_accepts_what_libtrust_accepts(text: str, expected: bytes) -> None:
    """Unpadded or padded base64url in the URL alphabet; CR/LF skipped after padding is
    chosen from the raw length, as Go's decoder skips them."""
    assert jose_base64url_decode(text) == expected


@pytest.mark.parametrize(
    "text", ["Y", "YWJjZ", "+/8A", "Y===", "YQ==YQ==", "a b=", "YQ=\n=", "YW\nI"]
)
def test_jose_base64url_decode_refuses_what_libtrust_refuses(text: str) -> None:
    """Lengths of 1 mod 4, the standard alphabet, bad padding, stray characters and newlines
    that leave an incomplete quantum fail."""
    with pytest.raises(ValueError, match="illegal"):
        jose_base64url_decode(text)


def test_manifest_digest_of_other_types_is_the_sha256_of_the_bytes() -> None:
    """Only schema1 digests are special; any other media type hashes the bytes as given."""
    body = sign_schema1(PAYLOAD, [new_key()])
    assert manifest_digest(body, OCI_MANIFEST) == Digest.from_bytes(body)
    assert manifest_digest(b"not json", DOCKER_SCHEMA2) == Digest.from_bytes(b"not json")


def test_manifest_digest_accepts_content_type_parameters() -> None:
    """A Content-Type header value selects the schema1 rule too."""
    body = sign_schema1(PAYLOAD, [new_key()])
    digest = manifest_digest(body, f"{DOCKER_SCHEMA1_SIGNED.upper()}; charset=utf-8")
    assert digest == Digest.from_bytes(PAYLOAD)


def test_manifest_digest_sniffs_schema1_when_the_type_is_unknown() -> None:
    """With no media type, a schema1 body gets its canonical digest and others their sha256."""
    body = sign_schema1(PAYLOAD, [new_key()])
    assert manifest_digest(body, "") == Digest.from_bytes(PAYLOAD)
    oci = b'{"schemaVersion":2,"mediaType":"' + OCI_MANIFEST.encode() + b'"}'
    assert manifest_digest(oci, "") == Digest.from_bytes(oci)
    assert manifest_digest(b"[1,", "") == Digest.from_bytes(b"[1,")


def test_schema1_errors_for_non_json_and_non_objects() -> None:
    """Bytes that are not JSON are InvalidJSON; JSON that is not an object is InvalidManifest."""
    with pytest.raises(InvalidJSON):
        schema1_canonical_payload(b"{")
    for text in (b"[]", b"null", b'"x"', b"1"):
        with pytest.raises(InvalidManifest, match="JSON object"):
            schema1_canonical_payload(text)


def test_module_exports_are_sorted_and_complete() -> None:
    """__all__ is sorted and __dir__ returns it."""
    assert schema1.__all__ == sorted(schema1.__all__)
    assert dir(schema1) == sorted(schema1.__all__)


# -- a real registry, which re-signs every schema1 it serves -------------------------------------
# registry_server (tests/support/registry_server.py) is the shared seeded distribution 2.8.


def _get(server: RegistryServer, repo: str, ref: str) -> tuple[bytes, dict[str, str]]:
    """GET a manifest with no Accept header, as an old schema1-era client would."""
    request = urllib.request.Request(f"{server.url}/v2/{repo}/manifests/{ref}")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=30) as response:
        return response.read(), {k.lower(): v for k, v in response.headers.items()}


def _shipped_schema1_rows() -> list[tuple[str, str, str]]:
    return [
        (row.repo, row.tag, row.digest)
        for row in read_inventory()
        if row.media_type == DOCKER_SCHEMA1_SIGNED
    ]


SHIPPED_SCHEMA1 = _shipped_schema1_rows()


def test_shipped_inventory_lists_schema1_images() -> None:
    """The harness inventory has the three schema1 tags these registry tests fetch."""
    assert len(SHIPPED_SCHEMA1) == 3


@pytest.mark.registry
@pytest.mark.parametrize(("repo", "tag", "digest"), SHIPPED_SCHEMA1)
def test_registry_resigned_schema1_has_the_inventory_digest(
    registry_server: RegistryServer, repo: str, tag: str, digest: str
) -> None:
    """Each GET is signed afresh, yet the canonical digest is the registry's and the inventory's."""
    first, headers = _get(registry_server, repo, tag)
    second, _ = _get(registry_server, repo, tag)
    assert first != second
    assert headers["content-type"] == DOCKER_SCHEMA1_SIGNED
    assert headers["docker-content-digest"] == digest
    assert str(Digest.from_bytes(first)) != digest
    for body in (first, second):
        model = parse_manifest(body, headers["content-type"])
        assert isinstance(model, DockerSchema1)
        assert str(model.digest) == digest
        assert str(manifest_digest(body, headers["content-type"])) == digest
        assert model.signed
        assert (model.name, model.tag) == (repo, tag)
        assert len(model.fs_layers) == len(model.history) >= 1
        assert verify_schema1(body, model.canonical_payload) == 1


@pytest.mark.registry
def test_registry_converted_schema2_is_signed_schema1_with_the_served_digest(
    registry_server: RegistryServer,
) -> None:
    """A schema2 image fetched by tag without a schema2 Accept comes back converted and signed."""
    body, headers = _get(registry_server, "library/hello", "v2s2")
    assert headers["content-type"] == DOCKER_SCHEMA1_SIGNED
    assert body.startswith(b'{\n   "schemaVersion": 1,')
    model = parse_manifest(body, headers["content-type"])
    assert isinstance(model, DockerSchema1)
    assert str(model.digest) == headers["docker-content-digest"]
    assert verify_schema1(body, model.canonical_payload) == 1
    schema2 = next(
        r for r in registry_server.inventory if (r.repo, r.tag) == ("library/hello", "v2s2")
    )
    assert str(model.digest) != schema2.digest


@pytest.mark.registry
def test_registry_seed_reproduces_the_shipped_schema1_digests(
    registry_server: RegistryServer,
) -> None:
    """The fresh seed's schema1 rows equal the shipped inventory's, key randomness and all."""
    fresh = {
        (r.repo, r.tag, r.digest)
        for r in registry_server.inventory
        if r.media_type == DOCKER_SCHEMA1_SIGNED
    }
    assert fresh == set(SHIPPED_SCHEMA1)


def test_base64_helper_round_trips() -> None:
    """The test signer's base64url is the unpadded URL alphabet the decoder expects."""
    data = bytes(range(256))
    assert jose_base64url_decode(b64url(data)) == data
    assert "=" not in b64url(data)
    assert b64url(b"\xfb\xff") == base64.urlsafe_b64encode(b"\xfb\xff").decode().rstrip("=")


def test_every_error_here_is_an_mstoolkit_error() -> None:
    """InvalidManifest and InvalidJSON are MstoolkitErrors (callers catch one root)."""
    assert issubclass(InvalidManifest, MstoolkitError)
    assert issubclass(InvalidJSON, MstoolkitError)
