"""Hostile refs, digests, labels and field paths against both content stores: each gets an
InvalidArgument/NotFound with a readable message, and nothing half-written stays behind."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from mstoolkit.content import Info, Store
from mstoolkit.content.testing import assert_no_ingests
from mstoolkit.digest import Digest
from mstoolkit.errors import (
    InvalidArgument,
    InvalidDigest,
    MstoolkitError,
    NotFound,
    ResourceExhausted,
)

pytestmark = pytest.mark.usefixtures("no_ingest_left")

DATA = b"hello"
DIGEST = Digest.from_bytes(DATA)


def _error(call: Callable[[], object]) -> MstoolkitError | None:
    try:
        call()
    except MstoolkitError as exc:
        return exc
    return None


def _put(store: Store, ref: str, labels: dict[str, str] | None = None) -> None:
    with store.writer(ref) as writer:
        writer.write(DATA)
        writer.commit(len(DATA), DIGEST, labels=labels)


@pytest.mark.parametrize(
    "ref",
    ["../../etc/passwd", "/abs/path", "a\x00b", "x" * 5000, ".", "..", "\n", "é" * 300,
     "ref with spaces", "\\..\\..\\windows"],
    ids=["traversal", "absolute", "nul", "very-long", "dot", "dotdot", "newline", "unicode",
         "spaces", "backslashes"],
)
def test_hostile_refs_are_just_names(store: Store, ref: str) -> None:
    """Traversal, NUL, newline and 5000-character refs name an ingest like any other: the
    blob lands in the store and no file outside it is touched."""
    _put(store, ref)
    assert store.read(DIGEST) == DATA
    missing = _error(lambda: store.status(ref))
    assert isinstance(missing, NotFound)
    assert "not found" in str(missing) or "No such file" in str(missing)


@pytest.mark.parametrize("ref", ["\ud800", "ok\udcff", "a\udfffb"],
                         ids=["high", "escaped-byte", "low"])
def test_refs_with_lone_surrogates_are_invalid_argument(store: Store, ref: str) -> None:
    """A ref that cannot be encoded (lone surrogate) is InvalidArgument from writer, status and
    abort alike, before any ingest folder is made (it was a UnicodeEncodeError half-way)."""
    for call in (lambda: store.writer(ref), lambda: store.status(ref), lambda: store.abort(ref)):
        error = _error(call)
        assert isinstance(error, InvalidArgument), repr(error)
        assert str(error).startswith("ref must be valid Unicode text")
    assert_no_ingests(store)
    assert store.list_statuses() == []


@pytest.mark.parametrize(
    ("labels", "category", "words"),
    [
        ({"\ud800": "v"}, InvalidArgument, ("label key must be valid Unicode text",)),
        ({"k": "\ud800"}, InvalidArgument, ("label 'k' must be valid Unicode text",)),
        ({"k" * 5000: "v"}, ResourceExhausted, ("greater than maximum size",)),
        ({"k": "v" * 5000}, ResourceExhausted, ("greater than maximum size",)),
    ],
    ids=["surrogate-key", "surrogate-value", "huge-key", "huge-value"],
)
def test_hostile_labels_are_refused_and_change_nothing(
    store: Store, labels: dict[str, str], category: type[MstoolkitError], words: tuple[str, ...]
) -> None:
    """Labels that cannot be stored are refused by update (and by commit) with the right
    category, and the labels already there stay as they were."""
    _put(store, "first", {"keep": "me"})
    before = store.info(DIGEST)
    for paths in [(), ("labels",), *((f"labels.{key}",) for key in labels)]:
        update = Info(DIGEST, before.size, before.created_at, before.updated_at, labels)
        error = _error(lambda p=paths, u=update: store.update(u, *p))  # type: ignore[misc]
        assert isinstance(error, category), (paths, repr(error))
        for word in words:
            assert word in str(error)
    assert dict(store.info(DIGEST).labels) == {"keep": "me"}
    writer = store.writer("second")
    writer.write(b"other")
    error = _error(lambda: writer.commit(5, None, labels=labels))
    assert isinstance(error, category)
    writer.close()
    store.abort("second")


@pytest.mark.parametrize(
    "labels",
    [{"k\x00": "v"}, {"k": "\x00"}, {"": "v"}, {"k": "a\nb"}, {"🐳": "é"}],
    ids=["nul-key", "nul-value", "empty-key", "newline-value", "emoji"],
)
def test_odd_but_storable_labels_round_trip(store: Store, labels: dict[str, str]) -> None:
    """NUL, newlines, empty keys and non-ASCII are stored and read back unchanged."""
    _put(store, "ref", labels)
    assert dict(store.info(DIGEST).labels) == labels
    assert [change.key for change in store.label_history(DIGEST)] == list(labels)


@pytest.mark.parametrize(
    ("paths", "words"),
    [(("size",), ('cannot update "size"',)), (("digest",), ('cannot update "digest"',)),
     (("",), ('cannot update ""',)), (("LABELS.k",), ('cannot update "LABELS.k"',)),
     ((None,), ("field paths must be strings",)), ((5,), ("field paths must be strings",))],
    ids=["size", "digest", "empty", "upper-case", "none", "int"],
)
def test_weird_fieldpaths_are_invalid_argument(
    store: Store, paths: tuple[object, ...], words: tuple[str, ...]
) -> None:
    """Field paths other than labels[.key] are InvalidArgument naming the path, and nothing
    changes."""
    _put(store, "ref", {"a": "1"})
    info = store.info(DIGEST)
    update = Info(DIGEST, info.size, info.created_at, info.updated_at, {"a": "2"})
    error = _error(lambda: store.update(update, *paths))  # type: ignore[arg-type]
    assert isinstance(error, InvalidArgument)
    for word in words:
        assert word in str(error)
    assert dict(store.info(DIGEST).labels) == {"a": "1"}


@pytest.mark.parametrize(
    "digest",
    ["sha256:" + "a" * 63, "sha256:../../" + "a" * 58, "sha256:" + "A" * 64, "", "md5:" + "a" * 32,
     "sha256:" + "a" * 64 + "/../x", None, 5],
    ids=["short", "traversal", "upper", "empty", "md5", "suffix-traversal", "none", "int"],
)
def test_hostile_digests_are_invalid_digest(store: Store, digest: object) -> None:
    """A malformed digest is InvalidDigest from every digest-taking method; a path never gets
    built from it."""
    for call in (store.info, store.read, store.reader_at, store.delete):
        error = _error(lambda c=call: c(digest))  # type: ignore[misc]
        assert isinstance(error, InvalidDigest), (call, repr(error))
        assert "digest" in str(error)


def test_absent_digests_of_every_algorithm_are_not_found(store: Store) -> None:
    """Valid digests of blobs that are not there are NotFound naming the digest."""
    for digest in ["sha256:" + "b" * 64, "sha512:" + "b" * 128, "sha384:" + "b" * 96]:
        error = _error(lambda d=digest: store.info(d))  # type: ignore[misc]
        assert isinstance(error, NotFound)
        assert digest in str(error)
