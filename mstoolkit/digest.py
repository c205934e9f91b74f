"""Content digests with go-digest's rules.

Grammar (go-digest, restricted to the algorithms it registers)::

    digest    := algorithm ":" encoded
    algorithm := "sha256" | "sha384" | "sha512"
    encoded   := lowercase hex, exactly 64 / 96 / 128 characters

go-digest checks in this order: a ``:`` must be present and not first (else "invalid checksum
digest format"), the algorithm must be registered ("unsupported digest algorithm"), and the
encoded part must have the algorithm's length ("invalid checksum digest length") and be
lowercase hex ("invalid checksum digest format"). We keep the order and the messages because
users grep logs for them and :mod:`mstoolkit.reference` must reproduce them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Final

from mstoolkit.errors import DigestMismatch, InvalidDigest

__all__ = [
    "ALGORITHMS",
    "Digest",
    "DigestLike",
    "as_digest",
    "validate_digest_string",
]

#: Registered algorithms and the length of their hex encoding.
ALGORITHMS: Final[dict[str, int]] = {"sha256": 64, "sha384": 96, "sha512": 128}

_HEX = re.compile(r"[a-f0-9]+")


@dataclass(frozen=True, slots=True, order=True)
class Digest:
    """An ``algorithm:hex`` content address; ``str()`` gives the canonical string."""

    algorithm: str
    encoded: str

    def __post_init__(self) -> None:
        _validate(self.algorithm, self.encoded, f"{self.algorithm}:{self.encoded}")

    @classmethod
    def parse(cls, value: str) -> Digest:
        """Parse ``algorithm:hex``, raising :class:`InvalidDigest` with go-digest's message."""
        if not isinstance(value, str):
            raise InvalidDigest(_FORMAT, repr(value))
        validate_digest_string(value)
        algorithm, _, encoded = value.partition(":")
        return cls(algorithm, encoded)

    @classmethod
    def from_bytes(cls, data: bytes, algorithm: str = "sha256") -> Digest:
        """The digest of *data* (the bytes exactly as given, never re-serialised)."""
        if algorithm not in ALGORITHMS:
            raise InvalidDigest(_UNSUPPORTED, f"{algorithm}:")
        return cls(algorithm, hashlib.new(algorithm, data).hexdigest())

    def hasher(self) -> hashlib._Hash:
        """A fresh hash object of this digest's algorithm, for incremental verification."""
        return hashlib.new(self.algorithm)

    def verify(self, data: bytes) -> bool:
        """Whether *data* hashes to this digest."""
        return hashlib.new(self.algorithm, data).hexdigest() == self.encoded

    def check(self, data: bytes) -> None:
        """Raise :class:`DigestMismatch` unless *data* hashes to this digest."""
        actual = hashlib.new(self.algorithm, data).hexdigest()
        if actual != self.encoded:
            raise DigestMismatch(
                f"digest mismatch: expected {self}, got {self.algorithm}:{actual}",
                expected=str(self),
                actual=f"{self.algorithm}:{actual}",
            )

    @property
    def short(self) -> str:
        """The first 12 hex characters, as ``docker images`` shows them."""
        return self.encoded[:12]

    def __str__(self) -> str:
        return f"{self.algorithm}:{self.encoded}"


DigestLike = Digest | str


def as_digest(value: DigestLike) -> Digest:
    """Accept a :class:`Digest` or its string, so every API takes either."""
    if isinstance(value, Digest):
        return value
    return Digest.parse(value)


_FORMAT = "invalid checksum digest format"
_LENGTH = "invalid checksum digest length"
_UNSUPPORTED = "unsupported digest algorithm"
_DIGEST_GRAMMAR = re.compile(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+")


def validate_digest_string(value: str) -> None:
    """go-digest's ``Digest.Validate``: the same checks in the same order, the same messages.

    Raises :class:`InvalidDigest` whose ``go_message`` is go-digest's error text.
    """
    colon = value.find(":")
    if colon <= 0 or colon + 1 == len(value):
        raise InvalidDigest(_FORMAT, value)
    algorithm, encoded = value[:colon], value[colon + 1 :]
    length = ALGORITHMS.get(algorithm)
    if length is None:
        if not _DIGEST_GRAMMAR.fullmatch(value):
            raise InvalidDigest(_FORMAT, value)
        raise InvalidDigest(_UNSUPPORTED, value)
    if len(encoded) != length:
        raise InvalidDigest(_LENGTH, value)
    if not _HEX.fullmatch(encoded):
        raise InvalidDigest(_FORMAT, value)


def _validate(algorithm: str, encoded: str, whole: str) -> None:
    if not isinstance(algorithm, str) or not isinstance(encoded, str):
        raise InvalidDigest(_FORMAT, repr(whole))
    validate_digest_string(whole)


def __dir__() -> list[str]:
    return sorted(__all__)
