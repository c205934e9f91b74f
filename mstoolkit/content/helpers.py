"""containerd's ``content`` helpers: the loops every caller of a store would otherwise write.

``open_writer`` retries a locked ref with jittered backoff (another kernel or pool worker is
writing the same blob; it will finish soon); ``write_blob`` resumes an existing ingest,
commits, and treats "already there" as success, exactly like ``content.WriteBlob``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping

from mstoolkit.content.protocols import Ingester, Provider, Writer
from mstoolkit.descriptor import Descriptor
from mstoolkit.digest import DigestLike
from mstoolkit.errors import AlreadyExists, InvalidArgument, NotFound, Unavailable

__all__ = ["exists", "open_writer", "read_blob", "write_blob"]


def open_writer(
    ingester: Ingester,
    ref: str,
    *,
    expected: Descriptor | None = None,
    timeout: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> Writer:
    """``ingester.writer(ref)``, waiting while the ref is locked (containerd's ``OpenWriter``:
    random sleeps up to 16 ms, doubling to 2 s); re-raises :class:`Unavailable` after
    *timeout* seconds."""
    deadline = monotonic() + timeout
    limit = 0.016
    while True:
        try:
            return ingester.writer(ref, expected=expected)
        except Unavailable:
            if monotonic() >= deadline:
                raise
        sleep(random.uniform(0, limit))
        limit = min(limit * 2, 2.048)


def write_blob(
    ingester: Ingester,
    ref: str,
    data: bytes,
    expected: Descriptor,
    *,
    labels: Mapping[str, str] | None = None,
    reason: str = "",
    timeout: float = 30.0,
) -> None:
    """Store *data* as *expected* describes it; already present is success.

    Resumes a previous partial ingest of *ref* (skipping what it holds), then commits with the
    descriptor's size and digest, so bytes that do not match raise
    :class:`~mstoolkit.errors.DigestMismatch` or ``FailedPrecondition`` and stay in the ingest
    until aborted.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InvalidArgument(f"write_blob needs bytes, not {type(data).__name__}")
    try:
        writer = open_writer(ingester, ref, expected=expected, timeout=timeout)
    except AlreadyExists:
        return
    with writer:
        offset = writer.status().offset
        if offset > len(data):
            writer.truncate(0)
            offset = 0
        writer.write(bytes(data[offset:]))
        try:
            writer.commit(expected.size, expected.digest, labels=labels, reason=reason)
        except AlreadyExists:
            return


def read_blob(provider: Provider, digest: DigestLike) -> bytes:
    """The whole blob (small blobs: manifests, configs)."""
    return provider.read(digest)


def exists(provider: Provider, digest: DigestLike) -> bool:
    """Whether *digest* is committed (containerd's ``content.Exists``)."""
    try:
        provider.info(digest)
    except NotFound:
        return False
    return True


def __dir__() -> list[str]:
    return sorted(__all__)
