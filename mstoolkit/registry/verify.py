"""Decide what a fetched manifest is and prove it is what was asked for (pure functions).

*Media type.* The ``Content-Type`` header is a claim; the body is the evidence. The detector
(:func:`mstoolkit.manifest.detect_media_type`, moby's rules, schema1 gate open) classifies the
bytes. The header wins when it names a specific type the body agrees with; the body wins when
the header is missing, generic (``application/json``, ``text/plain``,
``application/octet-stream``) or contradicts it. Both are recorded by the caller. The detector
calls every schema1 manifest ``…v1+json``; a schema1 body carrying JWS ``signatures`` is refined
to ``…v1+prettyjws``, and the two schema1 types never contradict each other.

*Digest.* A fetch by digest must hash to that digest; a fetch by tag must hash to the
registry's ``Docker-Content-Digest`` when it sent one (and when both exist they must agree).
A signed schema1 manifest is hashed over its canonical JWS payload, because distribution signs
it anew on every GET: the bytes change each time, the payload digest does not. Any mismatch is
:class:`DigestMismatch`; the caller then returns nothing.
"""

from __future__ import annotations

import json

from mstoolkit.digest import Digest
from mstoolkit.errors import DigestMismatch, InvalidDigest, MstoolkitError
from mstoolkit.manifest import detect_media_type, schema1_canonical_payload
from mstoolkit.mediatypes import DOCKER_SCHEMA1, DOCKER_SCHEMA1_SIGNED, SCHEMA1_TYPES

__all__ = [
    "GENERIC_CONTENT_TYPES",
    "content_digest",
    "header_media_type",
    "is_signed_schema1",
    "resolve_media_type",
    "verify_digest",
]

#: Content types that say nothing about which manifest format a body is.
GENERIC_CONTENT_TYPES: frozenset[str] = frozenset(
    {"", "application/json", "text/plain", "application/octet-stream", "binary/octet-stream"}
)


def header_media_type(value: str | None) -> str:
    """The media type of a ``Content-Type`` value: parameters dropped, lowercased."""
    if not value:
        return ""
    return value.split(";", 1)[0].strip().lower()


def is_signed_schema1(raw: bytes) -> bool:
    """Whether *raw* is a schema1 manifest with a non-empty JWS ``signatures`` array."""
    if b'"signatures"' not in raw:
        return False
    try:
        doc = json.loads(raw)
    except (ValueError, RecursionError):
        return False
    return (
        isinstance(doc, dict)
        and doc.get("schemaVersion") == 1
        and isinstance(doc.get("signatures"), list)
        and bool(doc["signatures"])
    )


def _detect(raw: bytes) -> str:
    try:
        return detect_media_type(raw, allow_schema1=True)
    except (MstoolkitError, RecursionError):
        return ""


def _agree(header: str, body: str) -> bool:
    return header == body or (header in SCHEMA1_TYPES and body in SCHEMA1_TYPES)


def resolve_media_type(content_type: str, raw: bytes) -> tuple[str, str]:
    """``(media_type, detected)`` for a body served under *content_type*.

    ``detected`` is the detector's verbatim answer (``""`` if it could not classify the
    bytes); ``media_type`` is the one to believe.
    """
    detected = _detect(raw)
    refined = detected
    if detected == DOCKER_SCHEMA1 and is_signed_schema1(raw):
        refined = DOCKER_SCHEMA1_SIGNED
    if content_type not in GENERIC_CONTENT_TYPES:
        if not refined or _agree(content_type, refined):
            return content_type, detected
        return refined, detected
    return (refined or content_type), detected


def content_digest(raw: bytes, *, algorithm: str = "sha256") -> Digest:
    """The digest a registry gives *raw*: over the canonical payload for signed schema1."""
    payload = schema1_canonical_payload(raw) if is_signed_schema1(raw) else raw
    return Digest.from_bytes(payload, algorithm)


def _parse_dcd(value: str) -> Digest:
    try:
        return Digest.parse(value.strip())
    except InvalidDigest as exc:
        raise DigestMismatch(
            f"registry sent an invalid Docker-Content-Digest {value[:100]!r}",
            actual=value[:100],
        ) from exc


def verify_digest(raw: bytes, *, requested: Digest | None, docker_content_digest: str) -> Digest:
    """The verified digest of *raw*, or :class:`DigestMismatch`.

    *requested* is the digest asked for (``None`` for a tag); *docker_content_digest* the
    header as sent (``""`` if absent).
    """
    claimed = _parse_dcd(docker_content_digest) if docker_content_digest else None
    if requested is not None and claimed is not None and claimed != requested:
        raise DigestMismatch(
            f"registry answered {requested} with Docker-Content-Digest {claimed}",
            expected=str(requested),
            actual=str(claimed),
        )
    expected = requested if requested is not None else claimed
    if expected is None:
        return content_digest(raw)
    actual = content_digest(raw, algorithm=expected.algorithm)
    if actual != expected:
        what = "requested digest" if requested is not None else "Docker-Content-Digest"
        raise DigestMismatch(
            f"manifest body hashes to {actual}, not the {what} {expected}",
            expected=str(expected),
            actual=str(actual),
        )
    return actual


def __dir__() -> list[str]:
    return sorted(__all__)
