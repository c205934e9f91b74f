"""The content store conformance suite, public so that any Store implementation can run it.

containerd runs one ``testsuite.ContentSuite`` against every content store; this is ours. Each
:class:`ConformanceCheck` takes a fresh, empty store and raises :class:`ConformanceFailure`
(an ``AssertionError``) when the store breaks containerd's semantics or ours. After every
check the store must hold no unfinished ingest. Use it from pytest::

    from mstoolkit.content.testing import conformance_checks

    @pytest.mark.parametrize("check", conformance_checks(), ids=lambda c: c.name)
    def test_my_store(check, tmp_path):
        check(MyStore(tmp_path))

or without pytest: ``run_conformance(lambda: MyStore(...))``. Importing this module does not
import pytest.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from mstoolkit.content.protocols import (
    BatchCommitter,
    BatchFetchLog,
    BlobPut,
    FetchRecord,
    Info,
    IngestManager,
    LabelTransform,
    Store,
    Writer,
)
from mstoolkit.descriptor import Descriptor
from mstoolkit.digest import Digest
from mstoolkit.errors import (
    AlreadyExists,
    DigestMismatch,
    FailedPrecondition,
    InvalidArgument,
    InvalidDigest,
    InvalidFilter,
    MstoolkitError,
    NotFound,
    Unavailable,
)

__all__ = [
    "ConformanceCheck",
    "ConformanceFailure",
    "assert_no_ingests",
    "conformance_checks",
    "make_content",
    "run_conformance",
]

_OCTET = "application/octet-stream"


class ConformanceFailure(AssertionError):
    """A store broke the content store contract; the message says how."""


@dataclass(frozen=True, slots=True)
class ConformanceCheck:
    """One named behaviour; call it with a fresh empty store."""

    name: str
    func: Callable[[Store], None]

    @property
    def doc(self) -> str:
        return (self.func.__doc__ or "").strip()

    def __call__(self, store: Store) -> None:
        self.func(store)
        assert_no_ingests(store)


def assert_no_ingests(store: IngestManager) -> None:
    """Fail when *store* still holds unfinished ingests (a test forgot to commit or abort)."""
    left = store.list_statuses()
    if left:
        refs = ", ".join(repr(s.ref) for s in left)
        raise ConformanceFailure(f"ingests left behind: {refs}")


def make_content(size: int, seed: int) -> tuple[bytes, Digest]:
    """Deterministic pseudo-random bytes and their sha256 digest."""
    data = random.Random(seed).randbytes(size)
    return data, Digest.from_bytes(data)


def conformance_checks() -> tuple[ConformanceCheck, ...]:
    """Every check, in a stable order."""
    return tuple(ConformanceCheck(fn.__name__.removeprefix("_check_"), fn) for fn in _CHECKS)


def run_conformance(factory: Callable[[], Store]) -> None:
    """Run every check, each on a new store from *factory*; the first failure raises."""
    for check in conformance_checks():
        try:
            check(factory())
        except ConformanceFailure as exc:
            raise ConformanceFailure(f"{check.name}: {exc}") from exc


# -- assertion helpers (plain functions: no reliance on pytest's assert rewriting) ----------


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise ConformanceFailure(message)


def _eq(actual: object, expected: object, what: str) -> None:
    if actual != expected:
        raise ConformanceFailure(f"{what}: got {actual!r}, expected {expected!r}")


def _raises(
    kind: type[BaseException], fn: Callable[..., object], *args: object, **kwargs: object
) -> BaseException:
    try:
        fn(*args, **kwargs)
    except kind as exc:
        return exc
    except Exception as exc:
        raise ConformanceFailure(
            f"{getattr(fn, '__name__', fn)} raised {type(exc).__name__}({exc}), "
            f"expected {kind.__name__}"
        ) from exc
    raise ConformanceFailure(f"{getattr(fn, '__name__', fn)} did not raise {kind.__name__}")


def _put(store: Store, ref: str, data: bytes, labels: dict[str, str] | None = None) -> Digest:
    digest = Digest.from_bytes(data)
    with store.writer(ref) as writer:
        writer.write(data)
        writer.commit(len(data), digest, labels=labels)
    return digest


def _aware_utc(at: datetime, what: str) -> None:
    _expect(at.tzinfo is not None and at.utcoffset() == UTC.utcoffset(at), f"{what} is not UTC")


# -- the checks ------------------------------------------------------------------------------


def _check_writer_roundtrip(store: Store) -> None:
    """Bytes written in pieces commit under their digest; info, read and reader_at agree."""
    data, digest = make_content(1000, 1)
    with store.writer("roundtrip") as writer:
        for start in range(0, len(data), 64):
            _eq(writer.write(data[start : start + 64]), len(data[start : start + 64]), "write")
        _eq(writer.digest(), digest, "writer digest before commit")
        _eq(writer.status().offset, len(data), "status offset")
        writer.commit(len(data), str(digest), labels={"k": "v", "empty": ""})
    info = store.info(digest)
    _eq((info.digest, info.size, dict(info.labels)), (digest, 1000, {"k": "v"}), "info")
    _aware_utc(info.created_at, "created_at")
    _expect(info.updated_at >= info.created_at, "updated_at before created_at")
    _eq(store.info(str(digest)), info, "info by string digest")
    _eq(store.read(digest), data, "read")
    with store.reader_at(digest) as reader:
        _eq(reader.size, 1000, "reader size")
        _eq(reader.read_at(10, 995), data[995:], "read_at at the end")
        _eq(reader.read_at(10, 1000), b"", "read_at past the end")
        _eq(reader.read_at(0, 0), b"", "read_at of nothing")
        _raises(InvalidArgument, reader.read_at, 1, -1)
    _raises(FailedPrecondition, reader.read_at, 1, 0)


def _check_empty_and_sha512_blobs(store: Store) -> None:
    """An empty blob commits; a sha512 descriptor makes the writer hash with sha512."""
    empty = _put(store, "empty", b"")
    _eq(str(empty), "sha256:" + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "empty digest")
    _eq(store.read(empty), b"", "empty read")
    data = b"sha512 content"
    want = Digest.from_bytes(data, "sha512")
    with store.writer("sha512", expected=Descriptor(_OCTET, want, len(data))) as writer:
        writer.write(data)
        _eq(writer.digest(), want, "sha512 writer digest")
        writer.commit(0, None)
    _eq(store.read(want), data, "sha512 read")


def _check_writer_argument_errors(store: Store) -> None:
    """Empty ref, bad digests and bad arguments raise InvalidArgument, never TypeError."""
    _raises(InvalidArgument, store.writer, "")
    _raises(InvalidDigest, store.info, "sha256:nothex")
    _raises(InvalidDigest, store.read, "../../etc/passwd")
    _raises(NotFound, store.info, Digest.from_bytes(b"missing"))
    _raises(NotFound, store.read, Digest.from_bytes(b"missing"))
    _raises(NotFound, store.reader_at, Digest.from_bytes(b"missing"))
    _raises(InvalidArgument, store.writer, 42)
    _raises(InvalidArgument, store.writer, "args", expected="sha256:" + "0" * 64)
    _raises(InvalidArgument, store.status, 42)
    _raises(InvalidArgument, store.abort, None)
    _raises(InvalidArgument, store.update, "not an Info")
    _raises(InvalidArgument, store.record_fetch, {"registry": "docker.io"})
    with store.writer("args") as writer:
        writer.write(b"abc")
        writer.write(bytearray(b"de"))
        writer.write(memoryview(b"f"))
        _raises(InvalidArgument, writer.write, "text")
        _raises(InvalidArgument, writer.truncate, 1)
    writer = store.writer("args")
    _raises(InvalidArgument, writer.commit, "6", None)
    _raises(InvalidArgument, store.writer("args").commit, 6, 12345)
    _raises(InvalidArgument, store.writer("args").commit, 6, None, labels={"k": 1})
    _eq(store.status("args").offset, 6, "ingest kept after refused commits")
    store.abort("args")


def _check_expected_present_is_already_exists(store: Store) -> None:
    """Opening a writer for a digest already committed raises AlreadyExists."""
    data = b"present"
    digest = _put(store, "first", data)
    _raises(AlreadyExists, store.writer, "second", expected=Descriptor(_OCTET, digest, len(data)))
    _raises(NotFound, store.status, "second")


def _check_locked_ref_is_unavailable_before_already_exists(store: Store) -> None:
    """A ref held by a writer is Unavailable, checked before the exists check."""
    data = b"locking order"
    digest = _put(store, "other", data)
    holder = store.writer("busy")
    try:
        exc = _raises(Unavailable, store.writer, "busy", expected=Descriptor(_OCTET, digest, 13))
        _expect("busy" in str(exc) and "locked" in str(exc), f"lock message: {exc}")
        _raises(Unavailable, store.abort, "busy")
    finally:
        holder.close()
    _raises(AlreadyExists, store.writer, "busy", expected=Descriptor(_OCTET, digest, 13))
    store.abort("busy")


def _check_lock_released_by_close_and_commit(store: Store) -> None:
    """close(), a successful commit and a failed commit all release the ref."""
    writer = store.writer("release")
    writer.close()
    writer.close()
    writer = store.writer("release")
    writer.write(b"x")
    _raises(FailedPrecondition, writer.commit, 5, None)
    writer = store.writer("release")
    writer.commit(1, None)
    with store.writer("release") as writer:
        _eq(writer.status().offset, 0, "offset after commit")
    store.abort("release")


def _check_closed_writer(store: Store) -> None:
    """A closed or committed writer refuses write, truncate and commit with FailedPrecondition."""
    writer = store.writer("closed")
    writer.write(b"abc")
    writer.close()
    _raises(FailedPrecondition, writer.write, b"d")
    _raises(FailedPrecondition, writer.truncate, 0)
    exc = _raises(FailedPrecondition, writer.commit, 0, None)
    _eq(str(exc), "cannot commit on closed writer", "closed commit message")
    writer = store.writer("closed")
    writer.commit(3, None)
    _raises(FailedPrecondition, writer.commit, 3, None)
    _raises(FailedPrecondition, writer.write, b"more")


def _check_resume_after_close(store: Store) -> None:
    """A closed ingest resumes at its offset with the digest state rebuilt."""
    data, digest = make_content(5000, 2)
    desc = Descriptor(_OCTET, digest, len(data))
    with store.writer("resume", expected=desc) as writer:
        writer.write(data[:1234])
    status = store.status("resume")
    _eq((status.ref, status.offset, status.total), ("resume", 1234, 5000), "status")
    _eq(status.expected, digest, "status expected")
    _aware_utc(status.started_at, "started_at")
    with store.writer("resume", expected=desc) as writer:
        _eq(writer.status().offset, 1234, "resumed offset")
        _eq(writer.digest(), Digest.from_bytes(data[:1234]), "resumed digest")
        writer.write(data[1234:])
        writer.commit(len(data), digest)
    _eq(store.read(digest), data, "resumed content")
    _raises(NotFound, store.status, "resume")


def _check_resume_truncate(store: Store) -> None:
    """truncate(0) discards a resumed ingest and restarts the digest."""
    data, digest = make_content(500, 3)
    with store.writer("truncate") as writer:
        writer.write(b"garbage" * 10)
    with store.writer("truncate") as writer:
        writer.truncate(0)
        _eq(writer.status().offset, 0, "offset after truncate")
        _eq(writer.digest(), Digest.from_bytes(b""), "digest after truncate")
        writer.write(data)
        writer.commit(500, digest)
    _eq(store.read(digest), data, "content after truncate")


def _check_resume_with_other_total_starts_over(store: Store) -> None:
    """A writer announcing a different total than the ingest's starts a fresh ingest."""
    with store.writer("total", expected=Descriptor(_OCTET, Digest.from_bytes(b"a"), 10)) as w:
        w.write(b"12345")
    with store.writer("total", expected=Descriptor(_OCTET, Digest.from_bytes(b"b"), 20)) as w:
        _eq(w.status().offset, 0, "offset after total change")
        _eq(w.status().total, 20, "new total")
    store.abort("total")
    with store.writer("unknown") as w:
        w.write(b"12345")
    with store.writer("unknown", expected=Descriptor(_OCTET, Digest.from_bytes(b"c"), 30)) as w:
        _eq((w.status().offset, w.status().total), (5, 30), "unknown total adopts the new one")
    _eq(store.status("unknown").total, 30, "adopted total is kept")
    with store.writer("unknown", expected=Descriptor(_OCTET, Digest.from_bytes(b"d"), 40)) as w:
        _eq(w.status().offset, 0, "a third total starts over")
    store.abort("unknown")


def _check_failed_commit_leaves_the_ingest(store: Store) -> None:
    """Size and digest mismatches keep the ingest until abort; abort twice is NotFound."""
    data, _ = make_content(100, 4)
    writer = store.writer("mismatch")
    writer.write(data)
    exc = _raises(FailedPrecondition, writer.commit, 99, None)
    _expect(not isinstance(exc, DigestMismatch), "size mismatch must not be DigestMismatch")
    _eq(str(exc), "unexpected commit size 100, expected 99", "size mismatch message")
    _eq(store.status("mismatch").offset, 100, "offset after size mismatch")
    writer = store.writer("mismatch")
    _eq(writer.status().offset, 100, "resumed after size mismatch")
    wrong = Digest.from_bytes(b"something else")
    exc = _raises(DigestMismatch, writer.commit, 100, wrong)
    _expect(str(wrong) in str(exc), f"digest mismatch message: {exc}")
    _eq(store.status("mismatch").offset, 100, "offset after digest mismatch")
    store.abort("mismatch")
    _raises(NotFound, store.status, "mismatch")
    _raises(NotFound, store.abort, "mismatch")
    _eq(list(store.walk()), [], "nothing committed")


def _check_commit_existing_target(store: Store) -> None:
    """Committing bytes already present removes the ingest and raises AlreadyExists."""
    data = b"twice"
    digest = _put(store, "one", data, {"a": "1"})
    for expected in (digest, None):
        writer = store.writer("two")
        writer.write(data)
        _raises(AlreadyExists, writer.commit, len(data), expected, labels={"b": "2"})
        _raises(NotFound, store.status, "two")
    _eq(dict(store.info(digest).labels), {"a": "1"}, "labels after AlreadyExists")


def _check_commit_label_validation(store: Store) -> None:
    """Oversize commit labels raise InvalidArgument, release the ref and keep the ingest."""
    writer = store.writer("biglabel")
    writer.write(b"abc")
    _raises(InvalidArgument, writer.commit, 3, None, labels={"k": "v" * 4096})
    _eq(store.status("biglabel").offset, 3, "ingest kept")
    with store.writer("biglabel") as again:
        again.commit(3, None, labels={"k": "v" * 4095})
    _eq(len(store.info(Digest.from_bytes(b"abc")).labels["k"]), 4095, "label at the limit")


def _check_update_semantics(store: Store) -> None:
    """update: "labels" replaces all, "labels.k" sets one, "" deletes, others are refused."""
    digest = _put(store, "upd", b"update me", {"k1": "v1", "k2": "v2"})
    before = store.info(digest)
    info = store.update(Info(digest, labels={"k1": "new", "k3": "v3"}))
    _eq(dict(info.labels), {"k1": "new", "k3": "v3"}, "replace all (no field paths)")
    _expect(info.updated_at >= before.updated_at, "updated_at did not advance")
    info = store.update(Info(str(digest), labels={"k4": "v4", "k3": ""}), "labels.k4", "labels.k3")
    _eq(dict(info.labels), {"k1": "new", "k4": "v4"}, "set one, delete one")
    info = store.update(Info(digest, labels={"x": "1"}), "labels.k1")
    _eq(dict(info.labels), {"k4": "v4"}, "labels.k1 missing from info deletes it")
    info = store.update(Info(digest, labels={"only": "this"}), "labels")
    _eq(dict(info.labels), {"only": "this"}, '"labels" replaces all')
    _eq(dict(store.info(digest).labels), {"only": "this"}, "info after update")
    exc = _raises(InvalidArgument, store.update, Info(digest, labels={"a": "b"}), "size")
    _eq(str(exc), f'cannot update "size" field on content info "{digest}"', "message")
    _raises(InvalidArgument, store.update, Info(digest, labels={"k": "v" * 5000}), "labels.k")
    _eq(dict(store.info(digest).labels), {"only": "this"}, "refused updates change nothing")
    _raises(NotFound, store.update, Info(Digest.from_bytes(b"nope"), labels={"a": "b"}))


def _append_to(entry: str) -> LabelTransform:
    """A transform adding *entry* to a sorted comma-separated set (a distribution source)."""
    return lambda current: ",".join(sorted({*(current or "").split(","), entry} - {""}))


def _check_update_label(store: Store) -> None:
    """update_label transforms one label, records one history row per change, refuses bad
    results without changing anything and leaves the other labels alone."""
    digest = _put(store, "one-label", b"one label", {"keep": "me"})
    seen: list[str | None] = []

    def append(repo: str) -> LabelTransform:
        def transform(current: str | None) -> str | None:
            seen.append(current)
            return _append_to(repo)(current)

        return transform

    info = store.update_label(digest, "src", append("b/b"), reason="seen")
    _eq(dict(info.labels), {"keep": "me", "src": "b/b"}, "label added")
    info = store.update_label(str(digest), "src", append("a/a"))
    _eq(info.labels["src"], "a/a,b/b", "label appended")
    _eq(seen, [None, "b/b"], "values the transform saw")
    before = store.info(digest)
    unchanged = store.update_label(digest, "src", append("a/a"))
    _eq(unchanged, before, "an unchanged value changes nothing, not even updated_at")
    rows = [(r.key, r.old, r.new, r.reason) for r in store.label_history(digest, key="src")]
    _eq(rows, [("src", None, "b/b", "seen"), ("src", "b/b", "a/a,b/b", "")], "history rows")
    _raises(InvalidArgument, store.update_label, digest, "src", lambda _: "v" * 4096)
    _raises(InvalidArgument, store.update_label, digest, "src", lambda _: 42)
    _raises(InvalidArgument, store.update_label, digest, "", lambda _: "v")
    _raises(ZeroDivisionError, store.update_label, digest, "src", lambda _: str(1 / 0))
    _eq(store.info(digest), before, "refused or failed transforms change nothing")
    _eq(len(store.label_history(digest, key="src")), 2, "no history for refused changes")
    info = store.update_label(digest, "src", lambda _: None)
    _eq(dict(info.labels), {"keep": "me"}, "None removes the label")
    _eq(dict(store.update_label(digest, "gone", lambda _: "").labels), {"keep": "me"}, '""')
    _raises(NotFound, store.update_label, Digest.from_bytes(b"nope"), "src", lambda _: "v")


def _check_update_label_threads_lose_nothing(store: Store) -> None:
    """Threads appending different values to one label through update_label lose none."""
    digest = _put(store, "contended-label", b"contended label")
    threads_n, per_thread = 4, 10
    barrier = threading.Barrier(threads_n)
    errors: list[BaseException] = []

    def appender(index: int) -> None:
        barrier.wait()
        try:
            for j in range(per_thread):
                store.update_label(digest, "src", _append_to(f"t{index}/r{j}"))
        except BaseException as exc:  # reported below: a thread cannot raise into the check
            errors.append(exc)

    threads = [threading.Thread(target=appender, args=(i,)) for i in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    _expect(not errors, f"update_label raised in a thread: {errors[:1]!r}")
    want = sorted(f"t{i}/r{j}" for i in range(threads_n) for j in range(per_thread))
    _eq(sorted(store.info(digest).labels["src"].split(",")), want, "every appended value")
    _eq(len(store.label_history(digest, key="src")), len(want), "one history row per change")


def _check_walk_filters(store: Store) -> None:
    """walk applies containerd filters: presence, ==, !=, ~=, quoted keys, AND and OR."""
    key = "containerd.io/distribution.source.docker.io"
    a = _put(store, "a", b"alpha", {key: "library/alpine", "kind": "manifest"})
    b = _put(store, "b", b"bravo", {key: "someone/else", "kind": "config"})
    c = _put(store, "c", b"charlie")

    def walked(*filters: str) -> set[Digest]:
        return {info.digest for info in store.walk(*filters)}

    _eq(walked(), {a, b, c}, "no filter")
    _eq(walked(""), {a, b, c}, "empty filter")
    _eq(walked("labels.kind"), {a, b}, "presence")
    _eq(walked(f'labels."{key}"~="^library/"'), {a}, "regexp on a quoted key")
    _eq(walked("labels.kind==config"), {b}, "equality")
    _eq(walked("labels.kind!=config"), {a, c}, "inequality includes absent")
    _eq(walked("labels.kind==manifest,labels.kind==config"), set(), "comma is AND")
    _eq(walked("labels.kind==manifest", "labels.kind==config"), {a, b}, "strings are OR")
    _eq(walked(f"digest=={c}"), {c}, "digest")
    _eq(walked("size==5", "size==7"), {a, b, c}, "size")
    _raises(InvalidFilter, store.walk, "labels.")
    _raises(InvalidFilter, store.list_statuses, "ref==")


def _check_list_statuses(store: Store) -> None:
    """list_statuses lists unfinished ingests and filters on ref."""
    for ref in ("layer-1", "layer-2", "manifest-1"):
        with store.writer(ref) as writer:
            writer.write(ref.encode())
    _eq(sorted(s.ref for s in store.list_statuses()), ["layer-1", "layer-2", "manifest-1"], "all")
    _eq([s.ref for s in store.list_statuses("ref==layer-2")], ["layer-2"], "equality")
    _eq(sorted(s.ref for s in store.list_statuses("ref~=^layer-")), ["layer-1", "layer-2"], "re")
    _eq(len(store.list_statuses("ref==manifest-1", "ref==layer-1")), 2, "OR")
    for ref in ("layer-1", "layer-2", "manifest-1"):
        store.abort(ref)


def _check_hostile_refs(store: Store) -> None:
    """Any non-empty string is a ref; path-like refs stay refs."""
    refs = ["../../../../tmp/escape", "/", "a/../../b", "ref with spaces", "ü-ref", "x" * 1000]
    for ref in refs:
        with store.writer(ref) as writer:
            writer.write(b"hostile")
        _eq(store.status(ref).ref, ref, "status ref")
    _eq(sorted(s.ref for s in store.list_statuses()), sorted(refs), "listed refs")
    for ref in refs:
        store.abort(ref)


def _check_delete(store: Store) -> None:
    """delete removes the blob and its labels; deleting again is NotFound."""
    digest = _put(store, "del", b"delete me", {"a": "1"})
    store.delete(digest)
    _raises(NotFound, store.info, digest)
    _raises(NotFound, store.read, digest)
    _raises(NotFound, store.delete, digest)
    again = _put(store, "del", b"delete me")
    _eq(dict(store.info(again).labels), {}, "labels do not survive a delete")


def _check_label_history(store: Store) -> None:
    """Every label change appends one history row: commit, update and delete."""
    digest = _put(store, "hist", b"history", {"a": "1", "b": "2"})
    store.update(Info(digest, labels={"a": "10"}), "labels.a", reason="bump")
    store.update(Info(digest, labels={"a": "10"}), "labels.a", reason="no change")
    store.delete(digest)
    rows = [(r.key, r.old, r.new) for r in store.label_history(digest)]
    _eq(
        rows,
        [("a", None, "1"), ("b", None, "2"), ("a", "1", "10"), ("a", "10", None), ("b", "2", None)],
        "history rows",
    )
    only_a = store.label_history(str(digest), key="a")
    _eq([(r.old, r.new) for r in only_a], [(None, "1"), ("1", "10"), ("10", None)], "by key")
    _eq(only_a[1].reason, "bump", "reason")
    for row in only_a:
        _expect(bool(row.actor), "actor is empty")
        _aware_utc(row.at, "history timestamp")
    _eq(store.label_history(Digest.from_bytes(b"other")), [], "other digest")
    _eq(len(store.label_history()), 5, "all rows")


def _check_fetch_log(store: Store) -> None:
    """record_fetch appends to fetch_log, oldest first, round-tripping every field."""
    first = FetchRecord(
        datetime(2024, 5, 1, 12, 0, tzinfo=UTC), "docker.io", "library/alpine", "latest",
        "sha256:" + "0" * 64, "application/vnd.oci.image.index.v1+json", 1234, "ok", "", 99,
    )
    second = FetchRecord(
        datetime(2024, 5, 1, 12, 1, 30, 250, tzinfo=UTC), "ghcr.io", "o/r", "v1", "", "", 0,
        "error", "not-found", None,
    )
    store.record_fetch(first)
    store.record_fetch(second)
    _eq(store.fetch_log(), [first, second], "fetch log")


def _check_threads_race_for_one_ref(store: Store) -> None:
    """Of several threads opening one ref at once, exactly one gets it."""
    barrier = threading.Barrier(6)
    outcomes: list[str] = []
    holders: list[Writer] = []
    lock = threading.Lock()

    def race() -> None:
        barrier.wait()
        try:
            writer = store.writer("contended")
        except Unavailable:
            outcome = "unavailable"
        else:
            outcome = "writer"
            with lock:
                holders.append(writer)
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=race) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    _eq(sorted(outcomes), ["unavailable"] * 5 + ["writer"], "race outcomes")
    for writer in holders:
        writer.close()
    store.abort("contended")


def _check_commit_many(store: Store) -> None:
    """commit_many commits each good put with its labels and answers per put, in order:
    None, AlreadyExists (held before, or earlier in the batch) or the put's own error."""
    if not isinstance(store, BatchCommitter):
        return
    held = _put(store, "held", b"held before", {"old": "1"})
    small, small_digest = make_content(700, 31)
    big, big_digest = make_content(70_000, 32)
    sha512 = Digest.from_bytes(b"five twelve", "sha512")
    puts = [
        BlobPut(small, small_digest, {"k": "v", "empty": ""}, "fetched", "ref-small"),
        BlobPut(big, big_digest),
        BlobPut(b"five twelve", sha512, {"alg": "512"}),
        BlobPut(b"", Digest.from_bytes(b"")),
        BlobPut(b"not these bytes", small_digest),
        BlobPut(b"held before", held, {"new": "1"}),
        BlobPut(small, small_digest, {"k": "other"}),
        BlobPut(b"bad label", Digest.from_bytes(b"bad label"), {"k": "v" * 4096}),
    ]
    answers = store.commit_many(puts)
    kinds = [type(r).__name__ if r is not None else None for r in answers[:7]]
    _eq(
        kinds,
        [None, None, None, None, "DigestMismatch", "AlreadyExists", "AlreadyExists"],
        "commit_many answers",
    )
    _expect(isinstance(answers[7], InvalidArgument), f"oversize label gave {answers[7]!r}")
    for put in puts[:4]:
        _eq(store.read(put.expected), put.data, f"read of {put.expected}")
    _eq(dict(store.info(small_digest).labels), {"k": "v"}, "labels of a batch commit")
    _eq(dict(store.info(held).labels), {"old": "1"}, "labels of a blob held before")
    _eq(dict(store.info(sha512).labels), {"alg": "512"}, "labels of a sha512 batch commit")
    _raises(NotFound, store.info, Digest.from_bytes(b"bad label"))
    changes = store.label_history(small_digest)
    _eq([(c.key, c.old, c.new, c.reason) for c in changes], [("k", None, "v", "fetched")],
        "label history of a batch commit")
    _eq(store.commit_many([]), [], "an empty batch")


def _check_commit_many_threads_commit_each_blob_once(store: Store) -> None:
    """Threads committing overlapping batches commit each blob exactly once between them."""
    if not isinstance(store, BatchCommitter):
        return
    blobs = [make_content(500 + i, 40 + i) for i in range(12)]
    answers: list[list[MstoolkitError | None]] = []
    lock = threading.Lock()

    def commit(order: list[int]) -> None:
        got = store.commit_many([BlobPut(blobs[i][0], blobs[i][1]) for i in order])
        with lock:
            answers.append([got[order.index(i)] for i in range(len(blobs))])

    orders = [list(range(12)), list(reversed(range(12))), [5, 1, 9, 0, 11, 3, 7, 2, 10, 4, 8, 6]]
    threads = [threading.Thread(target=commit, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for i, (data, digest) in enumerate(blobs):
        column = [row[i] for row in answers]
        _eq(sum(1 for a in column if a is None), 1, f"commits of blob {i}")
        _expect(all(a is None or isinstance(a, AlreadyExists) for a in column), f"blob {i}")
        _eq(store.read(digest), data, f"read of blob {i}")


def _check_record_fetches(store: Store) -> None:
    """record_fetches appends its records after the earlier ones, in order."""
    if not isinstance(store, BatchFetchLog):
        return
    at = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    records = [
        FetchRecord(at, "r.io", "a/b", f"t{i}", "", "", i, "cached", "", None) for i in range(5)
    ]
    store.record_fetch(records[0])
    store.record_fetches(records[1:])
    store.record_fetches([])
    _eq(store.fetch_log(), records, "fetch log after record_fetches")
    _raises(InvalidArgument, store.record_fetches, ["not a record"])


def _check_logged_references(store: Store) -> None:
    """logged_references gives each (repository, reference) of one registry once, only for
    rows with a digest and a wanted outcome."""
    logged = getattr(store, "logged_references", None)
    if logged is None:
        return
    at = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    dgst = "sha256:" + "1" * 64
    for rec in (
        FetchRecord(at, "r.io", "a/b", "v1", dgst, "", 1, "fetched", "", None),
        FetchRecord(at, "r.io", "a/b", "v1", dgst, "", 1, "cached", "", None),
        FetchRecord(at, "r.io", "a/b", "v2", dgst, "", 1, "cached", "", None),
        FetchRecord(at, "r.io", "a/c", "v1", "", "", 0, "error", "not-found", None),
        FetchRecord(at, "r.io", "a/d", "v1", "", "", 0, "fetched", "", None),
        FetchRecord(at, "q.io", "a/b", "v3", dgst, "", 1, "fetched", "", None),
    ):
        store.record_fetch(rec)
    _eq(logged("r.io", ("fetched", "cached")), {("a/b", "v1"), ("a/b", "v2")},
        "references logged for r.io")
    _eq(logged("r.io", ("fetched",)), {("a/b", "v1")}, "references fetched from r.io")
    _eq(logged("nowhere.io", ("fetched", "cached")), set(), "references of an unseen registry")


def _all_checks() -> Iterator[Callable[[Store], None]]:
    yield from (
        _check_writer_roundtrip,
        _check_empty_and_sha512_blobs,
        _check_writer_argument_errors,
        _check_expected_present_is_already_exists,
        _check_locked_ref_is_unavailable_before_already_exists,
        _check_lock_released_by_close_and_commit,
        _check_closed_writer,
        _check_resume_after_close,
        _check_resume_truncate,
        _check_resume_with_other_total_starts_over,
        _check_failed_commit_leaves_the_ingest,
        _check_commit_existing_target,
        _check_commit_label_validation,
        _check_update_semantics,
        _check_update_label,
        _check_update_label_threads_lose_nothing,
        _check_walk_filters,
        _check_list_statuses,
        _check_hostile_refs,
        _check_delete,
        _check_label_history,
        _check_fetch_log,
        _check_threads_race_for_one_ref,
        _check_commit_many,
        _check_commit_many_threads_commit_each_blob_once,
        _check_record_fetches,
        _check_logged_references,
    )


_CHECKS = tuple(_all_checks())


def __dir__() -> list[str]:
    return sorted(__all__)
