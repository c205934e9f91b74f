"""Rules both stores share, so that LocalStore and MemoryStore cannot drift apart: label
validation, containerd's ``Update`` field-path semantics, the label diff that feeds the history,
argument checks and the exact error texts."""

from __future__ import annotations

import functools
import getpass
import logging
import os
import socket
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime

from mstoolkit.content.protocols import BlobPut
from mstoolkit.digest import Digest, DigestLike, as_digest
from mstoolkit.errors import (
    AlreadyExists,
    DigestMismatch,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    Unavailable,
)
from mstoolkit.labels import validate_label

log = logging.getLogger("mstoolkit.content")

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """The default clock: aware UTC, microsecond resolution."""
    return datetime.now(UTC)


def default_actor() -> str:
    """``user@host:pid`` of the calling process (looked up per pid: a pool worker is not its
    parent)."""
    return _actor_of(os.getpid())


@functools.lru_cache(maxsize=4)
def _actor_of(pid: int) -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}:{pid}"


def check_ref(ref: object) -> str:
    """A writer ref must be a non-empty string (containerd: ``ref must not be empty``)."""
    if not isinstance(ref, str):
        raise InvalidArgument(f"ref must be a string, not {type(ref).__name__}")
    if not ref:
        raise InvalidArgument("ref must not be empty")
    return check_text("ref", ref)


def check_ref_type(ref: object) -> str:
    """Refs given to status/abort must be strings (an empty one simply matches no ingest)."""
    if not isinstance(ref, str):
        raise InvalidArgument(f"ref must be a string, not {type(ref).__name__}")
    return check_text("ref", ref)


def check_text(what: str, text: str) -> str:
    """*text* as given, if it can be stored: refs and labels go to files and SQLite as UTF-8,
    where a lone surrogate (``"\\ud800"``) would fail mid-write with a UnicodeEncodeError,
    after the ingest folder was made."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidArgument(
            f"{what} must be valid Unicode text, but holds {exc.object[exc.start]!r} at "
            f"position {exc.start}"
        ) from exc
    return text


def as_bytes(data: object) -> memoryview:
    """A byte view of *data*; anything not bytes-like is an InvalidArgument, not a TypeError."""
    try:
        return memoryview(data).cast("B")  # type: ignore[arg-type]
    except TypeError as exc:
        raise InvalidArgument(f"write needs bytes, not {type(data).__name__}") from exc


def expected_digest(expected: DigestLike | int | None) -> Digest | None:
    """``commit``'s expected digest: a Digest or its string; ``None``, ``""`` or ``0`` mean
    unknown."""
    if expected is None or expected in ("", 0):
        return None
    if isinstance(expected, (Digest, str)):
        return as_digest(expected)
    raise InvalidArgument(f"expected digest must be a Digest or str, not {type(expected).__name__}")


def check_size(size: object) -> int:
    if not isinstance(size, int) or isinstance(size, bool):
        raise InvalidArgument(f"commit size must be an integer, not {type(size).__name__}")
    return size


def clean_labels(labels: Mapping[str, str] | None) -> dict[str, str]:
    """Type-check and validate *labels*; empty values are dropped (they mean "no label")."""
    if labels is None:
        return {}
    if not isinstance(labels, Mapping):
        raise InvalidArgument(f"labels must be a mapping, not {type(labels).__name__}")
    out: dict[str, str] = {}
    for key, value in labels.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise InvalidArgument(f"labels must map str to str, got {key!r}: {value!r}")
        validate_label(key, value)
        check_text("label key", key)
        check_text(f"label {key!r}", value)
        if value:
            out[key] = value
    return out


def planned_labels(
    digest: Digest,
    current: Mapping[str, str],
    given: Mapping[str, str],
    fieldpaths: Iterable[str],
) -> dict[str, str]:
    """The labels after containerd's ``Update(info, fieldpaths...)``.

    No field paths or ``"labels"`` replaces every label with *given*; ``"labels.<key>"`` sets
    that one key to ``given.get(key, "")``; an empty value removes the key; any other field
    path is an :class:`InvalidArgument` before anything changes.
    """
    paths = list(fieldpaths)
    replace_all = not paths
    patch: dict[str, str] = {}
    for path in paths:
        if not isinstance(path, str):
            raise InvalidArgument(f"field paths must be strings, not {type(path).__name__}")
        if path.startswith("labels."):
            key = path[len("labels.") :]
            patch[key] = given.get(key, "")
        elif path == "labels":
            replace_all = True
        else:
            raise InvalidArgument(f'cannot update "{path}" field on content info "{digest}"')
    if replace_all:
        new = dict(given)
        new.update(patch)
    else:
        new = dict(current)
        new.update(patch)
    cleaned = clean_labels(new)
    return dict(sorted(cleaned.items()))


def transformed_labels(
    current: Mapping[str, str],
    key: object,
    transform: Callable[[str | None], str | None],
) -> dict[str, str]:
    """The labels after ``update_label(digest, key, transform)``: *key* set to
    ``transform(current value or None)``, removed when that is ``None`` or ``""``.

    Only the one label is validated (the others were valid when written), with the same
    rules as a commit: text, and key plus value within containerd's 4096 bytes.
    """
    if not isinstance(key, str):
        raise InvalidArgument(f"label key must be a string, not {type(key).__name__}")
    if not key:
        raise InvalidArgument("label key must not be empty")
    if not callable(transform):
        raise InvalidArgument(f"transform must be callable, not {type(transform).__name__}")
    after = transform(current.get(key))
    if after is not None and not isinstance(after, str):
        raise InvalidArgument(
            f"transform of label {key!r} must return str or None, not {type(after).__name__}"
        )
    new = dict(current)
    new.pop(key, None)
    new.update(clean_labels({key: after or ""}))
    return dict(sorted(new.items()))


def label_diff(
    old: Mapping[str, str], new: Mapping[str, str]
) -> list[tuple[str, str | None, str | None]]:
    """``(key, old, new)`` for every key whose value changes, sorted by key."""
    changes: list[tuple[str, str | None, str | None]] = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before != after:
            changes.append((key, before, after))
    return changes


def check_committed(size: int, actual_size: int, want: Digest | None, actual: Digest) -> None:
    """containerd's commit checks, size before digest; a size or a digest of 0/None is not
    checked. The ingest is left in place by the caller, so a mismatch can be aborted."""
    if size > 0 and size != actual_size:
        raise FailedPrecondition(f"unexpected commit size {actual_size}, expected {size}")
    if want is not None and want != actual:
        raise DigestMismatch(
            f"unexpected commit digest {actual}, expected {want}",
            expected=str(want),
            actual=str(actual),
        )


def content_not_found(digest: Digest) -> NotFound:
    return NotFound(f"content {digest}: not found")


def content_exists(digest: Digest) -> AlreadyExists:
    return AlreadyExists(f"content {digest}: already exists")


def ingest_not_found(ref: str) -> NotFound:
    return NotFound(f"ingest ref {ref!r}: not found")


def ref_locked(ref: str, since: datetime | None, holder: str = "", *, now: datetime) -> Unavailable:
    """containerd's ``ref %s locked for %s (since %s)``, plus the holder when known."""
    if since is None:
        return Unavailable(f"ref {ref} locked")
    age = max((now - since).total_seconds(), 0.0)
    by = f", by {holder}" if holder else ""
    return Unavailable(f"ref {ref} locked for {age:.3f}s (since {since.isoformat()}{by})")


def check_put(put: BlobPut) -> tuple[Digest, dict[str, str]]:
    """The expected digest and clean labels of a :class:`BlobPut` whose bytes match it; the
    error (not raised by a batch: reported for that put alone) otherwise."""
    if not isinstance(put, BlobPut):
        raise InvalidArgument(f"commit_many takes BlobPut values, not {type(put).__name__}")
    want = expected_digest(put.expected)
    if want is None:
        raise InvalidArgument("commit_many needs the expected digest of every blob")
    labels = clean_labels(put.labels)
    data = put.data if isinstance(put.data, bytes) else bytes(as_bytes(put.data))
    if not want.verify(data):
        actual = want.hasher()
        actual.update(data)
        check_committed(0, len(data), want, Digest(want.algorithm, actual.hexdigest()))
    return want, labels
