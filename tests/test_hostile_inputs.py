"""Hostile bytes and strings against the pure entry points (detector, parsers, digests,
references, descriptors): each gets one documented error category with a readable message,
never a KeyError, RecursionError, hang or traceback.

The other layers (content store and filters, catalog, CLI, registry) are in ``tests/hostile/``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mstoolkit.descriptor import Descriptor, Platform
from mstoolkit.digest import Digest, as_digest
from mstoolkit.errors import (
    InvalidArgument,
    InvalidDigest,
    InvalidJSON,
    InvalidManifest,
    InvalidReference,
    MstoolkitError,
    UnsupportedMediaType,
)
from mstoolkit.manifest import (
    detect_media_type,
    detection_label,
    manifest_digest,
    parse_manifest,
    schema1_canonical_payload,
)
from mstoolkit.mediatypes import DOCKER_SCHEMA1_SIGNED, OCI_INDEX, OCI_MANIFEST
from mstoolkit.reference import parse_reference

D = "sha256:" + "a" * 64
MB = 1 << 20

# Every way a caller can ask for a manifest to be understood.
ENTRY_POINTS: dict[str, Callable[[bytes], object]] = {
    "detect": detect_media_type,
    "parse": parse_manifest,
    "parse-oci": lambda data: parse_manifest(data, OCI_MANIFEST),
    "parse-index": lambda data: parse_manifest(data, OCI_INDEX),
    "parse-schema1": lambda data: parse_manifest(data, DOCKER_SCHEMA1_SIGNED),
    "digest-schema1": lambda data: manifest_digest(data, DOCKER_SCHEMA1_SIGNED),
    "canonical": schema1_canonical_payload,
}


def _outcome(call: Callable[[], object]) -> MstoolkitError | None:
    """Run *call*; the MstoolkitError it raised (any other exception fails the test)."""
    try:
        call()
    except MstoolkitError as exc:
        return exc
    return None


def _assert_clear(error: BaseException, category: type[MstoolkitError], *words: str) -> None:
    """*error* is of *category*, and its message is non-empty, traceback-free and holds *words*.

    Messages may quote the input (distribution's exact texts do), so a newline in the input
    can reach the message; the CLI makes every message one line (``tests/hostile/test_cli.py``).
    """
    assert isinstance(error, category), f"{type(error).__name__}: {error}"
    text = str(error)
    assert text
    assert "Traceback" not in text
    for word in words:
        assert word in text, text


# --- manifests: structure -------------------------------------------------------------------
DEEP_ARRAY_10K = b"[" * 10_000 + b"]" * 10_000
DEEP_ARRAY_100K = b"[" * 100_000 + b"]" * 100_000
DEEP_IN_LAYERS = b'{"schemaVersion":2,"layers":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
UNCLOSED_100K = b'{"a":' * 100_000


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
@pytest.mark.parametrize(
    "data", [DEEP_ARRAY_10K, DEEP_ARRAY_100K, DEEP_IN_LAYERS, UNCLOSED_100K],
    ids=["array-10k", "array-100k", "layers-100k", "unclosed-object-100k"],
)
def test_deep_nesting_is_invalid_json_not_recursion(name: str, data: bytes) -> None:
    """10k and 100k levels of nesting give InvalidJSON or InvalidManifest, not RecursionError."""
    error = _outcome(lambda: ENTRY_POINTS[name](data))
    assert error is not None
    assert isinstance(error, InvalidJSON | InvalidManifest), repr(error)
    _assert_clear(error, InvalidArgument)


def test_detector_follows_go_depth_limit_exactly() -> None:
    """Go's decoder allows 10000 levels and refuses the 10001st: the detector names the depth."""
    ok = b'{"a":' * 9_999 + b"1" + b"}" * 9_999
    assert detect_media_type(ok) == OCI_INDEX  # a bare object: Go falls back to the index
    too_deep = b"[" * 10_001 + b"]" * 10_001
    error = _outcome(lambda: detect_media_type(too_deep))
    assert error is not None
    _assert_clear(error, InvalidJSON, "exceeded max depth")
    assert detection_label(too_deep) == "error:json-syntax"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", ["detect", "parse"])
def test_megabytes_of_invalid_utf8_fail_in_linear_time(name: str) -> None:
    """5 MB of bytes that are not UTF-8 fail fast with InvalidJSON (the byte-by-byte U+FFFD
    repair once re-decoded the rest of the input after each bad byte: minutes for this body)."""
    data = b"{" + b"\xff" * (5 * MB)
    error = _outcome(lambda: ENTRY_POINTS[name](data))
    assert error is not None
    _assert_clear(error, InvalidJSON, "invalid character")


def test_invalid_utf8_inside_strings_becomes_u_fffd_as_in_go() -> None:
    """Bad UTF-8 in a string value is replaced byte by byte (Go), in big bodies too."""
    data = b'{"mediaType":"' + b"a\xff" * 500_000 + b'"}'
    media_type = detect_media_type(data)
    assert media_type == "a\ufffd" * 500_000
    error = _outcome(lambda: parse_manifest(data))
    assert error is not None
    _assert_clear(error, UnsupportedMediaType, "unsupported manifest media type")


@pytest.mark.parametrize(
    ("data", "category", "words"),
    [
        (b"", InvalidJSON, ("unexpected end of JSON input",)),
        (b"\x00", InvalidJSON, ("invalid character",)),
        (b'{"mediaType":"a\x00"}', InvalidJSON, ("in string literal",)),
        (b'"just a string"', InvalidJSON, ("cannot unmarshal string",)),
        (b"[1,2]", InvalidJSON, ("cannot unmarshal array",)),
        (b'{"mediaType":5}', InvalidJSON, ("cannot unmarshal number",)),
        (b"\xef\xbb\xbf{}", InvalidJSON, ("invalid character",)),
        (b'{"schemaVersion":' + b"9" * 100_000 + b"}", InvalidArgument, ()),
        (b'{"schemaVersion":1e999999}', InvalidArgument, ()),
        (b'{"mediaType":"\\ud800"}', UnsupportedMediaType, ("unsupported manifest media type",)),
    ],
    ids=["empty", "nul", "nul-in-string", "string", "array", "number-media-type", "bom",
         "giant-integer", "giant-float", "lone-surrogate"],
)
def test_broken_bodies_name_their_fault(
    data: bytes, category: type[MstoolkitError], words: tuple[str, ...]
) -> None:
    """Empty, NUL, BOM, wrong top-level kinds, giant numbers and lone surrogates each get a
    category and a message that names the fault."""
    error = _outcome(lambda: parse_manifest(data))
    assert error is not None
    _assert_clear(error, category, *words)


def test_duplicate_keys_last_media_type_wins_and_conflicts_are_named() -> None:
    """Duplicate mediaType keys: the last string wins (Go); the parser then names the conflict."""
    data = json.dumps({"mediaType": OCI_MANIFEST}).encode()[:-1] + b',"mediaType":"' + \
        OCI_INDEX.encode() + b'","manifests":[]}'
    assert detect_media_type(data) == OCI_INDEX
    error = _outcome(lambda: parse_manifest(data, OCI_MANIFEST))
    assert error is not None
    _assert_clear(error, InvalidManifest, "expected manifest but found index")


def test_hundred_thousand_layers_parse() -> None:
    """A manifest with 100k layers is a manifest: parsed in full, every descriptor kept."""
    layer = {"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": D, "size": 1}
    doc = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": layer,
           "layers": [layer] * 100_000}
    manifest = parse_manifest(json.dumps(doc).encode())
    assert len(manifest.descriptors()) == 100_001


# --- manifests: hostile schema1 signatures ------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _schema1(protected: str, header: object = None) -> bytes:
    doc: dict[str, Any] = {
        "schemaVersion": 1, "name": "a/b", "tag": "t", "architecture": "amd64",
        "fsLayers": [{"blobSum": D}], "history": [{"v1Compatibility": "{}"}],
    }
    doc["signatures"] = [{
        "header": header if header is not None else {"alg": "ES256", "jwk": {"kty": "EC"}},
        "signature": "x", "protected": protected,
    }]
    return json.dumps(doc).encode()


def _protected(**fields: object) -> str:
    return _b64(json.dumps(fields).encode())


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (_schema1(_protected(formatLength=10**30, formatTail="fQ")), ("invalid format length",)),
        (_schema1(_protected(formatLength=-5, formatTail="fQ")), ("invalid format length",)),
        (_schema1(_protected(formatLength=1e308, formatTail="fQ")), ("invalid format length",)),
        (_schema1(_protected(formatLength="10", formatTail="fQ")), ("missing formatted length",)),
        (_schema1(_protected(formatLength=10, formatTail=5)), ("missing formatted tail",)),
        (_schema1(_protected(formatLength=10, formatTail="***")), ("base64 decode error",)),
        (_schema1("!!!not base64***"), ("base64 decode error",)),
        (_schema1("abcde"), ("illegal base64url string",)),
        (_schema1("ä" * 8), ("base64 decode error",)),
        (_schema1(_b64(b"\xff\xfe")), ("error unmarshalling protected header",)),
        (_schema1(_b64(b"[" * 5000 + b"]" * 5000)), ("error unmarshalling protected header",)),
        (_schema1(_b64(b"[1]")), ("error unmarshalling protected header",)),
        (_schema1(_protected(formatLength=10, formatTail="fQ"), header="x"), ("'header'",)),
        (_schema1(_protected(formatLength=10, formatTail="fQ"), header={"jwk": "x"}),
         ("unsupported JWK key type",)),
    ],
    ids=["length-huge", "length-negative", "length-float-huge", "length-string", "tail-number",
         "tail-not-base64", "protected-not-base64", "protected-1-mod-4", "protected-unicode",
         "protected-not-utf8", "protected-deep", "protected-array", "header-string",
         "jwk-string"],
)
def test_hostile_jws_is_invalid_manifest(data: bytes, words: tuple[str, ...]) -> None:
    """Every hostile signature block gives InvalidManifest naming the signature and the fault,
    for the parser and for the digest alike."""
    for call in (lambda: parse_manifest(data, DOCKER_SCHEMA1_SIGNED),
                 lambda: manifest_digest(data, DOCKER_SCHEMA1_SIGNED),
                 lambda: parse_manifest(data)):
        error = _outcome(call)
        assert error is not None
        _assert_clear(error, InvalidManifest, "schema1", *words)


# --- manifests: random type damage ---------------------------------------------------------
_DESC = {"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": D, "size": 1,
         "annotations": {"a": "b"}, "urls": ["http://x"],
         "platform": {"architecture": "amd64", "os": "linux", "os.features": ["x"]}}
_BASES: list[dict[str, Any]] = [
    {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": _DESC, "layers": [_DESC],
     "subject": _DESC, "annotations": {"a": "b"}},
    {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [_DESC], "subject": _DESC},
    {"schemaVersion": 1, "name": "a/b", "tag": "t", "architecture": "amd64",
     "fsLayers": [{"blobSum": D}], "history": [{"v1Compatibility": "{}"}]},
]
_HOSTILE_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8),
    st.just([]), st.just({}), st.just([None]), st.just("sha256:zz"),
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _paths(item, (*path, index))
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.sampled_from(_BASES), data=st.data())
def test_type_damage_anywhere_is_a_category(base: dict[str, Any], data: st.DataObject) -> None:
    """Replacing any field at any depth by a value of the wrong type yields a model or an
    MstoolkitError from every parser, never TypeError/KeyError/AttributeError."""
    doc = json.loads(json.dumps(base))
    path = data.draw(st.sampled_from(_paths(doc)[1:]))
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = data.draw(_HOSTILE_VALUES)
    raw = json.dumps(doc).encode("utf-8", "surrogatepass")
    for media_type in (None, OCI_MANIFEST, OCI_INDEX, DOCKER_SCHEMA1_SIGNED):
        error = _outcome(lambda mt=media_type: parse_manifest(raw, mt).descriptors())
        assert error is None or str(error)


# --- core values --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    ["", "\n", "a\nb", "ubuntu\n", "ubuntu:latest\x00", "Upper", "a" * 300,
     "docker.io/" + "a" * 1000, "a:" + "t" * 200, "a:b@sha256:" + "a" * 63,
     "/" * 100_000, "a" * 1_000_000, "ubuntu:😀", "é/b", "\ud800", "a@sha256:" + "g" * 64],
    ids=["empty", "newline", "inner-newline", "trailing-newline", "nul", "uppercase",
         "long-name", "long-path", "long-tag", "short-digest", "slashes", "megabyte",
         "emoji-tag", "unicode-name", "surrogate", "bad-hex"],
)
def test_parse_reference_refuses_with_invalid_reference(text: str) -> None:
    """Long, unicode, newline and NUL references are InvalidReference with a one-line message."""
    error = _outcome(lambda: parse_reference(text))
    assert error is not None
    _assert_clear(error, InvalidReference)
    assert isinstance(error, InvalidReference)
    assert error.reference == text or len(text) > 255 or text == ""


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_parse_reference_on_any_text(text: str) -> None:
    """Any text either parses to a reference that round-trips or is InvalidReference."""
    error = _outcome(lambda: parse_reference(text))
    if error is not None:
        assert isinstance(error, InvalidReference)
        assert str(error).startswith(("invalid reference format", "repository name"))
        return
    ref = parse_reference(text)
    assert parse_reference(str(ref)) == ref


@pytest.mark.parametrize(
    "value",
    ["", ":", "sha256:", "sha256:" + "a" * 63, "sha256:" + "A" * 64, "sha256:" + "a" * 64 + "\n",
     "SHA256:" + "a" * 64, "md5:" + "a" * 32, "sha256:" + "é" * 64, "sha256:" + "a" * 100_000,
     "\x00", None, 5, b"sha256:" + b"a" * 64],
    ids=["empty", "colon", "no-hex", "short", "upper", "newline", "upper-algorithm", "md5",
         "unicode", "huge", "nul", "none", "int", "bytes"],
)
def test_digest_parse_refuses_with_invalid_digest(value: object) -> None:
    """Malformed digests and wrong types are InvalidDigest carrying go-digest's message."""
    for call in (lambda: Digest.parse(value), lambda: as_digest(value)):  # type: ignore[arg-type]
        error = _outcome(call)
        assert error is not None
        _assert_clear(error, InvalidDigest)
        assert isinstance(error, InvalidDigest)
        assert error.go_message.startswith(("invalid checksum digest", "unsupported digest"))


_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                 max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "mediaType": _JSONISH, "digest": _JSONISH | st.just(D), "size": _JSONISH,
            "annotations": _JSONISH, "urls": _JSONISH, "artifactType": _JSONISH,
            "platform": _JSONISH | st.fixed_dictionaries({}, optional={
                "os": _JSONISH, "architecture": _JSONISH, "variant": _JSONISH,
                "os.version": _JSONISH, "os.features": _JSONISH, "features": _JSONISH}),
        },
    )
    | _JSONISH
)
def test_descriptor_and_platform_from_dict_on_wrong_types(obj: object) -> None:
    """Descriptor.from_dict and Platform.from_dict give a value or InvalidArgument for any
    JSON-shaped input, naming the bad field."""
    for call in (lambda: Descriptor.from_dict(obj), lambda: Platform.from_dict(obj)):
        error = _outcome(call)
        if error is not None:
            _assert_clear(error, InvalidArgument)


@pytest.mark.parametrize(
    ("obj", "words"),
    [
        ({"mediaType": "a/b", "digest": D, "size": "1"}, ("size",)),
        ({"mediaType": "a/b", "digest": D, "size": -2}, ("size",)),
        ({"mediaType": "a/b", "digest": D, "size": True}, ("size",)),
        ({"mediaType": "a/b", "digest": 5, "size": 1}, ("digest",)),
        ({"mediaType": "a/b", "size": 1}, ("digest",)),
        ({"mediaType": ["a"], "digest": D, "size": 1}, ("mediaType",)),
        ({"mediaType": "a/b", "digest": D, "size": 1, "annotations": {"a": 1}}, ("annotations",)),
        ({"mediaType": "a/b", "digest": D, "size": 1, "urls": "http://x"}, ("urls",)),
        ({"mediaType": "a/b", "digest": D, "size": 1, "platform": []}, ("platform",)),
        ("not an object", ("descriptor",)),
    ],
    ids=["size-string", "size-negative", "size-bool", "digest-int", "digest-missing",
         "media-type-list", "annotation-int", "urls-string", "platform-list", "string"],
)
def test_descriptor_from_dict_names_the_field(obj: object, words: tuple[str, ...]) -> None:
    """A descriptor with one wrong-typed field is InvalidArgument naming that field."""
    error = _outcome(lambda: Descriptor.from_dict(obj))
    assert error is not None
    _assert_clear(error, InvalidArgument, *words)


@pytest.mark.parametrize("size", [2**63, 2**64 - 1], ids=["int64-max+1", "uint64-max"])
def test_sizes_past_int64_are_refused_as_go_refuses_them(size: int) -> None:
    """A size past int64 (Go's Descriptor.Size) is refused by Descriptor, from_dict and the
    parser; it used to be kept and then crash the catalog's Int64 columns with TypeError."""
    error = _outcome(lambda: Descriptor("a/b", D, size))
    assert error is not None
    _assert_clear(error, InvalidArgument, "int64")
    error = _outcome(lambda: Descriptor.from_dict({"mediaType": "a/b", "digest": D, "size": size}))
    assert error is not None
    _assert_clear(error, InvalidArgument, "'size'", "int64")
    layer = {"mediaType": "a/b", "digest": D, "size": size}
    doc = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": {**layer, "size": 1},
           "layers": [layer]}
    error = _outcome(lambda: parse_manifest(json.dumps(doc).encode()))
    assert error is not None
    _assert_clear(error, InvalidManifest, "layers[0]", "int64")
    assert Descriptor("a/b", D, 2**63 - 1).size == 2**63 - 1
