"""go-digest's rules for mstoolkit.Digest."""

from __future__ import annotations

import contextlib
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mstoolkit import Digest, DigestMismatch, InvalidDigest, MstoolkitError
from mstoolkit.digest import as_digest

HELLO_SHA256 = hashlib.sha256(b"hello").hexdigest()


@pytest.mark.parametrize("algorithm", ["sha256", "sha384", "sha512"])
def test_from_bytes_round_trips_through_parse(algorithm: str) -> None:
    """Every registered algorithm hashes, prints as alg:hex, and parses back equal."""
    digest = Digest.from_bytes(b"hello", algorithm)
    assert str(digest) == f"{algorithm}:{hashlib.new(algorithm, b'hello').hexdigest()}"
    assert Digest.parse(str(digest)) == digest
    assert digest.verify(b"hello")
    assert not digest.verify(b"hello!")


@pytest.mark.parametrize(
    ("value", "go_message"),
    [
        ("", "invalid checksum digest format"),
        ("sha256", "invalid checksum digest format"),
        (":abc", "invalid checksum digest format"),
        ("sha256:", "invalid checksum digest format"),
        ("md5:d41d8cd98f00b204e9800998ecf8427e", "unsupported digest algorithm"),
        ("SHA256:" + HELLO_SHA256, "invalid checksum digest format"),
        ("sha256:" + HELLO_SHA256[:-1], "invalid checksum digest length"),
        ("sha256:" + HELLO_SHA256.upper(), "invalid checksum digest format"),
        ("sha256:" + "g" * 64, "invalid checksum digest format"),
        ("sha384:" + HELLO_SHA256, "invalid checksum digest length"),
        ("sha256:" + HELLO_SHA256 + "\n", "invalid checksum digest length"),
        ("foo+bar:abc", "unsupported digest algorithm"),
        ("foo:ab c", "invalid checksum digest format"),
    ],
)
def test_parse_refuses_with_go_digest_messages(value: str, go_message: str) -> None:
    """Invalid digests are refused with go-digest's own message, checked in its order."""
    with pytest.raises(InvalidDigest) as info:
        Digest.parse(value)
    assert info.value.go_message == go_message
    assert isinstance(info.value, ValueError)


def test_check_raises_digest_mismatch_with_both_digests() -> None:
    """check() names the expected and the actual digest so a log line is actionable."""
    digest = Digest.from_bytes(b"hello")
    digest.check(b"hello")
    with pytest.raises(DigestMismatch) as info:
        digest.check(b"tampered")
    assert info.value.expected == str(digest)
    assert info.value.actual == str(Digest.from_bytes(b"tampered"))


def test_as_digest_accepts_digest_or_string() -> None:
    """APIs that take a digest accept the value type or its string."""
    digest = Digest.from_bytes(b"x")
    assert as_digest(digest) is digest
    assert as_digest(str(digest)) == digest


def test_digest_is_frozen_and_hashable() -> None:
    """Digests are values: usable as dict keys and immutable."""
    digest = Digest.from_bytes(b"x")
    assert {digest: 1}[Digest.parse(str(digest))] == 1
    with pytest.raises(AttributeError):
        digest.encoded = "0" * 64  # type: ignore[misc]


@given(st.text(max_size=200))
def test_parse_never_raises_outside_the_hierarchy(value: str) -> None:
    """Any string either parses or raises an MstoolkitError."""
    with contextlib.suppress(MstoolkitError):
        Digest.parse(value)
