"""LocalStore's bulk read side: ``iter_blobs`` is ``walk`` plus ``read`` in one pass, and
``label_spans`` is the label history's first and last change per digest."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from mstoolkit.content import Info, LocalStore
from mstoolkit.content.metadata import known_digest, stored_digest
from mstoolkit.digest import Digest
from mstoolkit.errors import InvalidDigest, InvalidFilter

pytestmark = pytest.mark.usefixtures("no_ingest_left")

MakeStore = Callable[..., LocalStore]


def put(store: LocalStore, data: bytes, labels: dict[str, str] | None = None) -> Digest:
    digest = Digest.from_bytes(data)
    with store.writer(f"ref-{digest}") as writer:
        writer.write(data)
        writer.commit(len(data), digest, labels=labels)
    return digest


def planted(store: LocalStore, data: bytes, algorithm: str = "sha256") -> Digest:
    """A blob file written by another tool: no metadata row."""
    digest = Digest.from_bytes(data, algorithm)
    folder = store.root / "blobs" / algorithm
    folder.mkdir(parents=True, exist_ok=True)
    (folder / digest.encoded).write_bytes(data)
    return digest


def filled(make_local_store: MakeStore) -> LocalStore:
    store = make_local_store()
    for i in range(12):
        put(store, f"blob {i}".encode() * (i + 1), {"n": str(i), "even": str(i % 2 == 0)})
    planted(store, b"no row")
    planted(store, b"a sha512 blob", "sha512")
    store.update(Info(put(store, b"relabelled"), labels={"n": "x"}), "labels.n")
    return store


def as_tuple(info: Info) -> tuple[object, ...]:
    return (info.digest, info.size, info.created_at, info.updated_at, dict(info.labels))


FILTERS = [(), ("labels.even==True",), ("labels.n~=^1", "digest~=^sha512:")]


@pytest.mark.parametrize("filters", FILTERS)
def test_iter_blobs_is_walk_with_read(make_local_store: MakeStore,
                                      filters: tuple[str, ...]) -> None:
    """iter_blobs gives walk()'s infos in walk()'s order, each with read()'s bytes."""
    store = filled(make_local_store)
    walked = list(store.walk(*filters))
    pairs = list(store.iter_blobs(*filters))
    assert walked
    assert [as_tuple(i) for i, _ in pairs] == [as_tuple(i) for i in walked]
    assert [data for _, data in pairs] == [store.read(i.digest) for i in walked]


def test_walk_infos_equal_info(make_local_store: MakeStore) -> None:
    """Every Info from walk() equals info() of its digest (rows, row-less blobs, sha512)."""
    store = filled(make_local_store)
    infos = list(store.walk())
    assert len(infos) == 15
    assert {i.digest.algorithm for i in infos} == {"sha256", "sha512"}
    for info in infos:
        assert info == store.info(info.digest)
        assert hash(info) == hash(store.info(info.digest))
        assert str(info.digest) == str(Digest.parse(str(info.digest)))


def test_iter_blobs_leaves_large_blobs_unread(make_local_store: MakeStore) -> None:
    """Blobs larger than limit come with None (the caller decides); the others with bytes."""
    store = make_local_store()
    small, large = put(store, b"s" * 10), put(store, b"l" * 11)
    got = {info.digest: data for info, data in store.iter_blobs(limit=10)}
    assert got == {small: b"s" * 10, large: None}
    assert {i.digest: d for i, d in store.iter_blobs(limit=0)} == {small: None, large: None}


def test_iter_blobs_reads_empty_and_multi_chunk_blobs(make_local_store: MakeStore) -> None:
    """An empty blob reads as b"" and a blob larger than one read chunk reads whole."""
    store = make_local_store()
    big = os.urandom(3 * 1024 * 1024 + 7)
    empty, large = put(store, b""), put(store, big)
    got = {info.digest: data for info, data in store.iter_blobs()}
    assert got == {empty: b"", large: big}
    assert store.read(large) == big
    assert store.read(empty) == b""


def test_iter_blobs_skips_damage_like_walk(make_local_store: MakeStore,
                                           caplog: pytest.LogCaptureFixture) -> None:
    """A directory, a FIFO or a misnamed file in blobs/ is logged and skipped by both, and
    the blobs after it are still listed."""
    store = make_local_store()
    good = put(store, b"good")
    folder = store.root / "blobs" / "sha256"
    os.mkdir(folder / ("0" * 64))
    os.mkfifo(folder / ("1" * 64))
    (folder / "not-a-digest").write_bytes(b"x")
    (folder / ("A" * 64)).write_bytes(b"upper case hex")
    after = put(store, b"after")
    with caplog.at_level(logging.ERROR, logger="mstoolkit.content"):
        walked = [i.digest for i in store.walk()]
        walk_log = sorted(r.getMessage() for r in caplog.records)
        caplog.clear()
        pairs = [(i.digest, d) for i, d in store.iter_blobs()]
        bulk_log = sorted(r.getMessage() for r in caplog.records)
    assert sorted(walked) == sorted([good, after])
    assert pairs == [(d, store.read(d)) for d in walked]
    assert len(walk_log) == 4
    assert bulk_log == walk_log


def test_iter_blobs_skips_a_blob_deleted_after_listing(make_local_store: MakeStore) -> None:
    """A blob gone between the listing and its open is not yielded (as walk() skips it)."""
    store = make_local_store()
    first, second = put(store, b"first"), put(store, b"second")
    ordered = sorted([first, second], key=str)
    pairs = store.iter_blobs()
    info, _ = next(pairs)
    assert info.digest == ordered[0]
    store.delete(ordered[1])
    assert list(pairs) == []


def test_iter_blobs_filters_are_parsed_before_reading(make_local_store: MakeStore) -> None:
    """A bad filter raises at the call, as walk()'s does."""
    store = make_local_store()
    with pytest.raises(InvalidFilter) as bulk:
        store.iter_blobs("size>3")
    with pytest.raises(InvalidFilter) as walked:
        store.walk("size>3")
    assert str(bulk.value) == str(walked.value)


def test_label_spans_are_the_history_extremes(make_local_store: MakeStore) -> None:
    """label_spans gives each digest's oldest and newest label change, deleted digests too."""
    store = filled(make_local_store)
    gone = put(store, b"gone", {"a": "1"})
    store.delete(gone)
    expected: dict[str, tuple[object, object]] = {}
    for change in store.label_history():
        first, last = expected.get(str(change.digest), (change.at, change.at))
        expected[str(change.digest)] = (min(first, change.at), max(last, change.at))
    spans = store.label_spans()
    assert spans == expected
    assert str(gone) in spans


def test_label_history_digests_are_real_digests(make_local_store: MakeStore) -> None:
    """History rows carry Digests equal to parsed ones, whatever the row count per digest."""
    store = filled(make_local_store)
    for change in store.label_history():
        assert change.digest == Digest.parse(str(change.digest))
        assert hash(change.digest) == hash(Digest.parse(str(change.digest)))


def test_stored_digest_checks_what_it_trusts(tmp_path: Path) -> None:
    """stored_digest accepts canonical digests and raises go-digest's errors for the rest."""
    good = Digest.from_bytes(b"x")
    assert stored_digest(str(good)) == good
    assert known_digest(good.algorithm, good.encoded) == good
    for bad in ["sha256:" + "A" * 64, "sha256:abc", "md5:" + "0" * 32, "nocolon", ""]:
        with pytest.raises(InvalidDigest):
            stored_digest(bad)
