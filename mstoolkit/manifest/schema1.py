"""Docker schema1 signatures: the canonical payload and the digest registries give it.

A signed schema1 manifest (``v1+prettyjws``) is its JSON payload with a ``"signatures"``
array spliced in before the closing brace. Each signature's base64url ``protected`` header
records how to undo that splice::

    protected   := base64url( {"formatLength": N, "formatTail": base64url(T), "time": ...} )
    payload     := body[:N] + T          (T is normally "\\n}" or "}")
    digest      := sha256(payload)

Registries store the payload, sign it again on every GET with their own key and a fresh
``time``, and answer with ``Docker-Content-Digest: sha256(payload)``, so for schema1 the
digest is never ``sha256(body)`` (see ``tests/registry_harness`` and its README).

This is libtrust's ``ParsePrettySignature``, which distribution's
``SignedManifest.UnmarshalJSON`` calls, with its checks and messages:

* ``body`` is the value Go's ``json.Unmarshal`` hands to ``UnmarshalJSON``: the document
  without surrounding whitespace. (regclient's ``rawDockerSchema1Signed`` fixture starts with
  a newline and reproduces its expected digest only this way.)
* base64url is decoded as ``joseBase64UrlDecode`` does: padding added from the length (a
  length of 1 mod 4 is illegal), already-padded input accepted, CR/LF ignored.
* ``formatLength`` is a JSON number truncated to an integer; ``formatTail`` a string. The
  first signature with a non-zero length fixes it, and later ones must agree ("conflicting
  format length"/"conflicting format tail"); a length beyond the body is "invalid format
  length".

Where libtrust would crash (a missing ``header``) or build an empty payload (an empty
``signatures`` array), we raise :class:`InvalidManifest`. The signatures themselves are not
verified and their keys are not checked: the digest does not depend on them, and moby's
schema1 pull (``verifySchema1Manifest``) checks the digest, not the signatures.

A schema1 manifest without ``signatures`` (or with ``"signatures": null``) is unsigned
(``v1+json``): its payload is its exact bytes, as containers/image treats it. distribution
would refuse it ("missing signature key"); registries refuse to store it.
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass, field
from typing import Any

from mstoolkit.digest import Digest
from mstoolkit.errors import InvalidManifest, MstoolkitError
from mstoolkit.manifest._decode import GoStruct, decode_json
from mstoolkit.manifest.detect import detect_media_type
from mstoolkit.mediatypes import SCHEMA1_TYPES

__all__ = [
    "Schema1Envelope",
    "jose_base64url_decode",
    "manifest_digest",
    "read_schema1_envelope",
    "schema1_canonical_payload",
]

#: JSON whitespace as Go's scanner defines it (``json.Unmarshal`` strips it around a value).
_JSON_SPACE = b" \t\r\n"
_B64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")
_TO_STD = str.maketrans("-_", "+/")

# jsParsedSignature and jsParsedHeader: struct fields, matched as Go matches them.
_SIGNATURE = GoStruct(("header", "signature", "protected"), nullable=("header",))
_HEADER = GoStruct(("jwk", "alg", "x5c"), nullable=("jwk", "x5c"))


@dataclass(frozen=True, slots=True)
class Schema1Envelope:
    """A schema1 document split into what was signed and how many signatures it carries."""

    raw: bytes = field(repr=False)
    document: dict[str, Any] = field(repr=False)
    payload: bytes = field(repr=False)
    signed: bool
    signatures: int

    @property
    def digest(self) -> Digest:
        """The canonical digest: ``sha256(payload)``."""
        return Digest.from_bytes(self.payload)


def jose_base64url_decode(value: str) -> bytes:
    """libtrust's ``joseBase64UrlDecode``: unpadded (or padded) base64url; ValueError if bad."""
    remainder = len(value) % 4
    if remainder == 1:
        raise ValueError("illegal base64url string")
    value += "=" * ((4 - remainder) % 4)
    value = value.replace("\r", "").replace("\n", "")
    if not _B64URL.fullmatch(value):
        raise ValueError("illegal base64 data")
    try:
        return binascii.a2b_base64(value.translate(_TO_STD), strict_mode=True)
    except binascii.Error as exc:
        raise ValueError(f"illegal base64 data: {exc}") from exc


def _fail(message: str, index: int | None = None) -> InvalidManifest:
    where = "schema1" if index is None else f"schema1: signatures[{index}]"
    return InvalidManifest(f"{where}: {message}")


def _signature_fields(block: object, index: int) -> tuple[str, dict[str, Any] | None]:
    """The type checks Go's decoder makes on one ``jsParsedSignature``: its ``protected``
    string and its ``header`` (None when absent or null)."""
    if block is None:
        block = {}
    if not isinstance(block, dict):
        raise _fail(
            f"error unmarshalling signatures: expected an object, not {_kind(block)}", index
        )
    sig = _SIGNATURE.view(block)
    protected = sig.get("protected", "")
    header = sig.get("header")
    if not isinstance(protected, str):
        raise _fail(f"error unmarshalling signatures: 'protected' is {_kind(protected)}", index)
    if not isinstance(sig.get("signature", ""), str):
        raise _fail("error unmarshalling signatures: 'signature' must be a string", index)
    if header is None:
        return protected, None
    if not isinstance(header, dict):
        raise _fail(f"error unmarshalling signatures: 'header' is {_kind(header)}", index)
    fields = _HEADER.view(header)
    chain = fields.get("x5c")
    if not isinstance(fields.get("alg", ""), str):
        raise _fail("error unmarshalling signatures: 'alg' must be a string", index)
    if chain is not None and (
        not isinstance(chain, list) or not all(isinstance(c, str) for c in chain)
    ):
        raise _fail("error unmarshalling signatures: 'x5c' must be an array of strings", index)
    return protected, fields


def _format(protected: str, index: int) -> tuple[int, bytes]:
    """``formatLength`` and the decoded ``formatTail`` of one protected header."""
    try:
        raw_header = jose_base64url_decode(protected)
    except ValueError as exc:
        raise _fail(f"base64 decode error: {exc}", index) from exc
    try:
        decoded = decode_json(raw_header, what="protected header")
    except MstoolkitError as exc:
        raise _fail(f"error unmarshalling protected header: {exc}", index) from exc
    if decoded is None:
        decoded = {}
    if not isinstance(decoded, dict):
        raise _fail(f"error unmarshalling protected header: {_kind(decoded)}", index)
    length = decoded.get("formatLength")
    if isinstance(length, bool) or not isinstance(length, int | float):
        raise _fail("missing formatted length", index)
    tail = decoded.get("formatTail")
    if not isinstance(tail, str):
        raise _fail("missing formatted tail", index)
    try:
        tail_bytes = jose_base64url_decode(tail)
    except ValueError as exc:
        raise _fail(f"base64 decode error on tail: {exc}", index) from exc
    return int(length), tail_bytes


def _check_key(header: dict[str, Any] | None, index: int) -> None:
    """What libtrust checks of the signing key before it builds the payload.

    A missing header would crash libtrust (nil dereference). A present ``jwk`` (even
    ``null``) must at least name a key type libtrust knows; the key itself is not checked.
    """
    if header is None:
        raise _fail("missing header", index)
    if "jwk" not in header:
        return
    jwk = header["jwk"]
    kty = jwk.get("kty") if isinstance(jwk, dict) else None
    if kty not in ("EC", "RSA"):
        raise _fail(f"error unmarshalling public key: unsupported JWK key type {kty!r}", index)


def _kind(value: object) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else "a number"
    )


def read_schema1_envelope(data: bytes) -> Schema1Envelope:
    """Split a schema1 document into its payload and signature count.

    Raises :class:`InvalidJSON` for bytes that are not JSON and :class:`InvalidManifest`
    for a document that is not an object or whose signatures cannot rebuild the payload.
    """
    body = bytes(data).strip(_JSON_SPACE)
    document = decode_json(body)
    if not isinstance(document, dict):
        raise _fail(f"a manifest must be a JSON object, not {_kind(document)}")
    signatures = document.get("signatures")
    if signatures is None:
        return Schema1Envelope(bytes(data), document, bytes(data), False, 0)
    if not isinstance(signatures, list):
        raise _fail(f"error unmarshalling signatures: 'signatures' is {_kind(signatures)}")
    if not signatures:
        raise _fail("'signatures' is empty: no protected header to rebuild the payload from")
    # Go decodes the whole array before looking at any header, so type errors come first.
    blocks = [_signature_fields(block, index) for index, block in enumerate(signatures)]
    format_length = 0
    format_tail = b""
    for index, (protected, header) in enumerate(blocks):
        length, tail = _format(protected, index)
        if format_length == 0:
            format_length = length
        elif format_length != length:
            raise _fail("conflicting format length", index)
        if not format_tail:
            format_tail = tail
        elif format_tail != tail:
            raise _fail("conflicting format tail", index)
        _check_key(header, index)
    if not 0 <= format_length <= len(body):
        raise _fail(f"invalid format length {format_length} for a {len(body)}-byte body")
    payload = body[:format_length] + format_tail
    return Schema1Envelope(bytes(data), document, payload, True, len(signatures))


def schema1_canonical_payload(data: bytes) -> bytes:
    """The bytes a schema1 manifest's digest covers.

    For a signed manifest, the JWS payload rebuilt from the first signature's protected
    header; for an unsigned one, *data* itself.
    """
    return read_schema1_envelope(data).payload


def manifest_digest(data: bytes, media_type: str) -> Digest:
    """The digest a registry gives *data* served as *media_type*.

    ``sha256(data)`` for every type but schema1 (either schema1 media type), whose digest
    is over the canonical payload. An empty *media_type* is sniffed: when the body is
    schema1 by moby's rules, its canonical digest; otherwise ``sha256(data)``.
    """
    kind = media_type.split(";", 1)[0].strip().lower()
    if not kind:
        try:
            kind = detect_media_type(bytes(data), allow_schema1=True)
        except MstoolkitError:
            kind = ""
    if kind in SCHEMA1_TYPES:
        return Digest.from_bytes(schema1_canonical_payload(data))
    return Digest.from_bytes(bytes(data))


def __dir__() -> list[str]:
    return sorted(__all__)
