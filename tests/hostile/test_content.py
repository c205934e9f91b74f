"""Hostile refs, digests, labels and field paths against both content stores: each gets an
InvalidArgument/NotFound with a readable message, and nothing half-written stays behind."""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from mstoolkit.content import Info, LocalStore, Store
from mstoolkit.content.testing import assert_no_ingests
from mstoolkit.digest import Digest
from mstoolkit.errors import (
    FailedPrecondition,
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


def _swap_in(root: Path, kind: str) -> Digest:
    """Put something that is not a blob file where a blob's file would be."""
    digest = Digest("sha256", {"fifo": "c", "zero": "e", "dir": "d", "loop": "f"}[kind] * 64)
    path = root / "blobs" / "sha256" / digest.encoded
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "zero":
        path.symlink_to("/dev/zero")
    elif kind == "dir":
        path.mkdir()
    else:
        path.symlink_to(path.name)
    return digest


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", ["fifo", "zero", "dir", "loop"])
def test_special_files_at_blob_paths_are_damage_not_hangs(tmp_path: Path, kind: str) -> None:
    """A FIFO, a link to /dev/zero, a directory or a symlink loop where a blob file should be
    is FailedPrecondition from info, read and reader_at (read() blocked forever on the FIFO
    and read /dev/zero until memory ran out)."""
    store = LocalStore(tmp_path / "store")
    try:
        digest = _swap_in(tmp_path / "store", kind)
        for call in (store.info, store.read, store.reader_at):
            error = _error(lambda c=call: c(digest))  # type: ignore[misc]
            assert isinstance(error, FailedPrecondition), (call, repr(error))
            assert "content store damaged" in str(error)
    finally:
        store.close()


def test_read_still_reads_whole_blobs(tmp_path: Path) -> None:
    """read() returns every byte of a real blob, also one larger than a single read call."""
    store = LocalStore(tmp_path / "store")
    try:
        data = os.urandom(3 << 20)
        with store.writer("big") as writer:
            writer.write(data)
            writer.commit(len(data), Digest.from_bytes(data))
        assert store.read(Digest.from_bytes(data)) == data
    finally:
        store.close()


@pytest.mark.parametrize(
    ("root", "category", "words"),
    [("x\x00y", InvalidArgument, ("NUL byte",)),
     ("\ud800", InvalidArgument, ("not a valid path",)),
     ("file", InvalidArgument, ("not a directory",)),
     ("loop", InvalidArgument, ("not a directory",))],
    ids=["nul", "lone-surrogate", "a-file", "symlink-loop"],
)
def test_hostile_store_roots(tmp_path: Path, root: str, category: type[MstoolkitError],
                             words: tuple[str, ...]) -> None:
    """Roots the OS cannot name, files and loops are errors of a category (the first two were
    ValueError and UnicodeEncodeError)."""
    (tmp_path / "file").write_bytes(b"x")
    (tmp_path / "loop").symlink_to("loop")
    error = _error(lambda: LocalStore(tmp_path / root))
    assert isinstance(error, category), repr(error)
    for word in words:
        assert word in str(error)


def test_deep_store_root_is_made_without_recursion(tmp_path: Path) -> None:
    """A root many levels below any existing folder is made level by level: Path.mkdir(
    parents=True) recursed once per level, so 2000 levels raised RecursionError (shown here
    with 150 levels and 100 frames to spare, which keeps the path within SQLite's limit and
    the tree small enough for pytest's own recursive cleanup)."""
    root = tmp_path.joinpath(*["a"] * 150)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 100)
    try:
        store = LocalStore(root, reconcile=False)
    finally:
        sys.setrecursionlimit(limit)
    try:
        _put(store, "ref")
        assert store.read(DIGEST) == DATA
    finally:
        store.close()


def test_store_root_with_undecodable_bytes_works(tmp_path: Path) -> None:
    """A root whose name is not UTF-8 (bytes kept as surrogate escapes) is a fine directory."""
    root = tmp_path / b"\xff-store".decode("utf-8", "surrogateescape")
    store = LocalStore(root)
    try:
        _put(store, "ref")
        assert store.read(DIGEST) == DATA
    finally:
        store.close()
