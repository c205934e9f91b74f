"""moby's TestManifestStore scenarios, as behaviour, against real content stores."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from mstoolkit.descriptor import Descriptor
from mstoolkit.digest import Digest
from mstoolkit.errors import DigestMismatch, NotFound, Unavailable
from mstoolkit.labels import make_ref_key
from mstoolkit.manifest.models import DockerSchema1
from mstoolkit.manifest.parse import parse_manifest
from mstoolkit.manifest_store import ManifestStore, Source
from mstoolkit.manifest_store.testing import CountingRemote, FakeAnswer
from mstoolkit.reference import Reference, parse_reference
from tests.manifest_store.conftest import REGISTRY, SIGNED_SCHEMA1, oci_index, oci_manifest

LABEL = f"containerd.io/distribution.source.{REGISTRY}"
RAW = oci_manifest()


def ref_of(repo: str, suffix: str = "") -> Reference:
    return parse_reference(f"{REGISTRY}/{repo}{suffix}")


def assert_no_ingest(content: Any, desc: Descriptor) -> None:
    with pytest.raises(NotFound):
        content.status(make_ref_key(desc))
    assert content.list_statuses() == []


def write_blob(
    content: Any,
    desc: Descriptor,
    raw: bytes,
    labels: dict[str, str] | None = None,
    ref: str | None = None,
) -> None:
    """Put *raw* in the content store the way moby's test helper does (no label)."""
    with content.writer(ref or make_ref_key(desc), expected=desc) as w:
        w.write(raw)
        w.commit(len(raw), desc.digest, labels=labels)


class FaultyStore:
    """A content store whose writer, commit or update fails (faults a real store cannot show)."""

    def __init__(
        self,
        inner: Any,
        *,
        on_writer: Exception | None = None,
        on_commit: Exception | None = None,
        on_update: Exception | None = None,
    ) -> None:
        self._inner = inner
        self._on_writer = on_writer
        self._on_commit = on_commit
        self._on_update = on_update

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def writer(self, ref: str, *, expected: Descriptor | None = None) -> Any:
        if self._on_writer is not None:
            raise self._on_writer
        w = self._inner.writer(ref, expected=expected)
        return _FaultyWriter(w, self._on_commit) if self._on_commit is not None else w

    def update(self, info: Any, *fieldpaths: str, reason: str = "") -> Any:
        if self._on_update is not None:
            raise self._on_update
        return self._inner.update(info, *fieldpaths, reason=reason)

    def update_label(self, digest: Any, key: str, transform: Any, *, reason: str = "") -> Any:
        if self._on_update is not None:
            raise self._on_update
        return self._inner.update_label(digest, key, transform, reason=reason)


class _FaultyWriter:
    def __init__(self, inner: Any, error: Exception) -> None:
        self._inner = inner
        self._error = error

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def commit(self, size: int, expected: Any, *, labels: Any = None, reason: str = "") -> None:
        self._inner.close()  # the contract of commit is to always close, as in moby's test
        raise self._error


@pytest.fixture
def desc(remote: CountingRemote) -> Descriptor:
    return Descriptor(
        "application/vnd.oci.image.manifest.v1+json", Digest.from_bytes(RAW), len(RAW)
    )


def test_no_remote_or_local_raises_the_remote_error(
    store: ManifestStore, content: Any, desc: Descriptor, remote: CountingRemote
) -> None:
    """A manifest nobody has raises the remote's NotFound and leaves no ingest."""
    with pytest.raises(NotFound):
        store.get(desc, ref_of("foo/bar"))
    assert_no_ingest(content, desc)
    assert remote.gets == 1


def test_no_local_cache_fetches_once_and_labels_the_repository(
    store: ManifestStore, content: Any, remote: CountingRemote
) -> None:
    """A fresh manifest is fetched once, committed with its source label, then served locally."""
    desc = remote.push("foo/bar", RAW, tags=["latest"])
    ref = ref_of("foo/bar")
    m = store.get(desc, ref)
    assert m == parse_manifest(RAW)
    assert remote.gets == 1
    assert_no_ingest(content, desc)
    info = content.info(desc.digest)
    assert info.digest == desc.digest
    assert info.labels[LABEL] == "foo/bar"

    remote.reset()
    assert store.get(desc, ref) == m
    assert sum(remote.calls.values()) == 0
    assert_no_ingest(content, desc)
    # digested: the repository is in the label, so no remote call either
    assert store.get(desc, ref.with_digest(desc.digest)) == m
    assert sum(remote.calls.values()) == 0


def test_a_second_get_through_a_new_store_makes_no_remote_call(
    content: Any, remote: CountingRemote
) -> None:
    """The cache is the content store: a new ManifestStore without memo serves it, no call."""
    desc = remote.push("foo/bar", RAW)
    ManifestStore(content, remote).get(desc, ref_of("foo/bar"))
    remote.reset()
    fresh = ManifestStore(content, remote, memo_size=0)
    served = fresh.serve(desc, ref_of("foo/bar"))
    assert served.source is Source.CACHE
    assert served.manifest == parse_manifest(RAW)
    assert sum(remote.calls.values()) == 0


def test_with_local_cache_serves_without_the_remote(
    store: ManifestStore, content: Any, desc: Descriptor, remote: CountingRemote
) -> None:
    """Content already in the store is served with no remote call and the label gains the repo."""
    write_blob(content, desc, RAW)
    m = store.get(desc, ref_of("foo/bar"))
    assert m == parse_manifest(RAW)
    assert sum(remote.calls.values()) == 0
    assert_no_ingest(content, desc)
    assert content.info(desc.digest).labels[LABEL] == "foo/bar"


@pytest.mark.parametrize("cached", ["none", "with-media-type", "without-media-type"])
def test_unknown_media_type(
    store: ManifestStore, content: Any, desc: Descriptor, remote: CountingRemote, cached: str
) -> None:
    """A pull by digest (empty media type) detects it from the cache, else fetches once."""
    remote.push("foo/bar", RAW)
    bare = Descriptor("", desc.digest, desc.size)
    if cached == "with-media-type":
        write_blob(content, desc, RAW)
    elif cached == "without-media-type":
        write_blob(content, bare, RAW)
    m = store.get(bare, ref_of("foo/bar"))
    assert m == parse_manifest(RAW)
    assert remote.gets == (1 if cached == "none" else 0)
    assert_no_ingest(content, desc)
    assert_no_ingest(content, bare)


def test_by_digest_from_a_repository_that_lacks_it_is_not_found(
    store: ManifestStore, content: Any, remote: CountingRemote
) -> None:
    """GHSA-vjgr-4595-fc6r: a digest cached from one repo is refused for a repo that lacks it."""
    desc = remote.push("foo/bar", RAW)
    store.get(desc, ref_of("foo/bar"))
    remote.reset()
    with pytest.raises(NotFound):
        store.get(desc, ref_of("other/repo", f"@{desc.digest}"))
    assert remote.calls["exists"] == 1
    assert ("exists", "other/repo", str(desc.digest)) in remote.log
    assert content.info(desc.digest).labels[LABEL] == "foo/bar"
    assert_no_ingest(content, desc)


def test_by_digest_from_another_repository_that_has_it_is_served_and_labelled(
    store: ManifestStore, content: Any, remote: CountingRemote
) -> None:
    """A digest another repo also has costs one HEAD, no GET, and the label becomes sorted "a,b"."""
    desc = remote.push("b", RAW)
    remote.push("a", RAW)
    store.get(desc, ref_of("b"))
    remote.reset()
    m = store.get(desc, ref_of("a", f"@{desc.digest}"))
    assert m == parse_manifest(RAW)
    assert remote.calls == {"exists": 1}
    assert content.info(desc.digest).labels[LABEL] == "a,b"
    remote.reset()
    store.get(desc, ref_of("a", f"@{desc.digest}"))
    assert sum(remote.calls.values()) == 0
    assert_no_ingest(content, desc)


def test_error_on_writer_still_returns_the_manifest(content: Any, remote: CountingRemote) -> None:
    """A content store that cannot open a writer does not stop the pull, and keeps nothing."""
    desc = remote.push("foo/bar", RAW)
    store = ManifestStore(FaultyStore(content, on_writer=OSError("random error")), remote)
    assert store.get(desc, ref_of("foo/bar")) == parse_manifest(RAW)
    assert remote.gets == 1
    with pytest.raises(NotFound):
        content.info(desc.digest)
    assert_no_ingest(content, desc)


def test_error_on_commit_still_returns_the_manifest(
    content: Any, remote: CountingRemote, caplog: pytest.LogCaptureFixture
) -> None:
    """A failed commit is logged, the ingest aborted, and the fetched manifest still returned."""
    desc = remote.push("foo/bar", RAW)
    store = ManifestStore(FaultyStore(content, on_commit=Unavailable("random error")), remote)
    with caplog.at_level(logging.WARNING, logger="mstoolkit.manifest_store.store"):
        assert store.get(desc, ref_of("foo/bar")) == parse_manifest(RAW)
    assert "random error" in caplog.text
    assert remote.gets == 1
    with pytest.raises(NotFound):
        content.info(desc.digest)
    assert_no_ingest(content, desc)


def test_remote_error_aborts_the_ingest_and_raises(
    store: ManifestStore, content: Any, remote: CountingRemote
) -> None:
    """A failing registry raises its error and leaves neither an ingest nor a blob."""
    desc = remote.push("foo/bar", RAW)
    remote.fail(Unavailable("registry down"), method="get_manifest")
    with pytest.raises(Unavailable, match="registry down"):
        store.get(desc, ref_of("foo/bar"))
    assert_no_ingest(content, desc)
    with pytest.raises(NotFound):
        content.info(desc.digest)


class TamperingRemote(CountingRemote):
    """Serves other bytes than those the digest names (a lying registry)."""

    def get_manifest(self, repo: str, reference: str, /) -> FakeAnswer:
        answer = super().get_manifest(repo, reference)
        return FakeAnswer(
            answer.descriptor, oci_manifest("evil"), self.registry, repo, reference, ""
        )


def test_a_remote_answer_that_does_not_match_the_digest_is_refused(content: Any) -> None:
    """Bytes that do not hash to the requested digest raise DigestMismatch and are not kept."""
    remote = TamperingRemote(REGISTRY)
    desc = remote.push("foo/bar", RAW)
    with pytest.raises(DigestMismatch):
        ManifestStore(content, remote).get(desc, ref_of("foo/bar"))
    with pytest.raises(NotFound):
        content.info(desc.digest)
    assert_no_ingest(content, desc)


def test_a_cached_read_does_not_write_the_label(
    store: ManifestStore, content: Any, remote: CountingRemote
) -> None:
    """Improvement on the seed: reading a manifest whose label has the repo changes no metadata."""
    desc = remote.push("foo/bar", RAW)
    store.get(desc, ref_of("foo/bar"))
    before = content.label_history(desc.digest)
    for _ in range(3):
        ManifestStore(content, remote, memo_size=0).get(desc, ref_of("foo/bar"))
        store.get(desc, ref_of("foo/bar"))
    assert content.label_history(desc.digest) == before
    assert [c.new for c in before if c.key == LABEL] == ["foo/bar"]


def test_label_update_failure_is_logged_not_raised(
    content: Any, desc: Descriptor, remote: CountingRemote, caplog: pytest.LogCaptureFixture
) -> None:
    """As in the seed, a failing label update does not stop serving the cached manifest."""
    write_blob(content, desc, RAW)
    store = ManifestStore(FaultyStore(content, on_update=OSError("metadata is read-only")), remote)
    with caplog.at_level(logging.WARNING, logger="mstoolkit.manifest_store.store"):
        assert store.get(desc, ref_of("foo/bar")) == parse_manifest(RAW)
    assert "metadata is read-only" in caplog.text
    assert sum(remote.calls.values()) == 0


def test_signed_schema1_is_cached_under_its_canonical_digest(
    store: ManifestStore, content: Any, remote: CountingRemote
) -> None:
    """Improvement on the seed: signed schema1 is kept as its canonical payload, then served."""
    signed = SIGNED_SCHEMA1.read_bytes()
    desc = remote.push("library/busybox", signed, tags=["latest"])
    fetched = store.get(desc, ref_of("library/busybox"))
    assert isinstance(fetched, DockerSchema1)
    assert fetched.signed
    assert fetched.digest == desc.digest
    assert content.read(desc.digest) == fetched.canonical_payload
    assert Digest.from_bytes(content.read(desc.digest)) == desc.digest

    remote.reset()
    cached = ManifestStore(content, remote, memo_size=0).get(desc, ref_of("library/busybox"))
    assert isinstance(cached, DockerSchema1)
    assert not cached.signed
    assert cached.digest == desc.digest
    assert cached.fs_layers == fetched.fs_layers
    assert sum(remote.calls.values()) == 0
    assert_no_ingest(content, desc)


def test_a_stale_ingest_left_by_a_killed_pull_is_rewound(
    store: ManifestStore, content: Any, remote: CountingRemote
) -> None:
    """An ingest resumed from an earlier crash is restarted, so the commit has the right bytes."""
    desc = remote.push("foo/bar", RAW)
    w = content.writer(make_ref_key(desc), expected=desc)
    w.write(b"half a manifest from a killed process")
    w.close()
    store.get(desc, ref_of("foo/bar"))
    assert content.read(desc.digest) == RAW
    assert_no_ingest(content, desc)


def test_a_locked_ref_is_fetched_without_touching_the_other_ingest(
    store: ManifestStore, content: Any, remote: CountingRemote
) -> None:
    """When another writer holds the ref, the pull still succeeds and leaves that ingest alone."""
    desc = remote.push("foo/bar", RAW)
    other = content.writer(make_ref_key(desc), expected=desc)
    try:
        other.write(RAW[:10])
        assert store.get(desc, ref_of("foo/bar")) == parse_manifest(RAW)
        assert content.status(make_ref_key(desc)).offset == 10
    finally:
        other.close()
        content.abort(make_ref_key(desc))
    assert remote.gets == 1


def test_a_blob_deleted_behind_the_memo_is_fetched_again(
    store: ManifestStore, content: Any, remote: CountingRemote
) -> None:
    """The memo never serves a manifest the content store no longer holds."""
    desc = remote.push("foo/bar", RAW)
    store.get(desc, ref_of("foo/bar"))
    content.delete(desc.digest)
    remote.reset()
    served = store.serve(desc, ref_of("foo/bar"))
    assert served.source is Source.REMOTE
    assert served.persisted
    assert remote.gets == 1
    assert content.info(desc.digest).labels[LABEL] == "foo/bar"


def test_the_memo_still_asks_about_a_foreign_repository(
    store: ManifestStore, remote: CountingRemote
) -> None:
    """The memoised fast path applies the GHSA rule exactly like the slow path."""
    desc = remote.push("foo/bar", RAW)
    store.get(desc, ref_of("foo/bar"))
    remote.reset()
    with pytest.raises(NotFound):
        store.get(desc, ref_of("other/repo", f"@{desc.digest}"))
    assert remote.calls["exists"] == 1


def test_tagged_reference_from_another_repository_is_served_and_labelled(
    store: ManifestStore, content: Any, remote: CountingRemote
) -> None:
    """A tag reference (the registry resolved it) needs no existence check; the label grows."""
    desc = remote.push("foo/bar", RAW)
    store.get(desc, ref_of("foo/bar"))
    remote.reset()
    store.get(desc, ref_of("zoo/keeper", ":1.0"))
    assert sum(remote.calls.values()) == 0
    assert content.info(desc.digest).labels[LABEL] == "foo/bar,zoo/keeper"


def test_sweep_aborts_ingests_of_committed_content_only(
    store: ManifestStore, content: Any, remote: CountingRemote
) -> None:
    """A leftover ingest of a held blob is aborted; one of content not held stays resumable."""
    desc = remote.push("foo/bar", RAW)
    other = Descriptor(desc.media_type, Digest.from_bytes(oci_manifest("b")), 10)
    leftover = content.writer(make_ref_key(desc), expected=desc)
    leftover.write(RAW)
    leftover.close()  # as if killed after writing: the ingest stays
    resumable = content.writer(make_ref_key(other), expected=other)
    resumable.write(b"half")
    resumable.close()
    write_blob(content, desc, RAW, ref="elsewhere")  # the content got committed another way
    try:
        assert store.sweep_ingests() == 1
        assert [s.ref for s in content.list_statuses()] == [make_ref_key(other)]
    finally:
        content.abort(make_ref_key(other))


def test_a_cached_blob_that_does_not_parse_as_asked_falls_back_to_the_remote(
    store: ManifestStore, content: Any, remote: CountingRemote
) -> None:
    """As in the seed, a local read or parse failure is not an error: the remote answers."""
    child = remote.push("foo/bar", RAW)
    index_raw = oci_index([(child, "linux/amd64")])
    index = remote.push("foo/bar", index_raw)
    write_blob(content, index, index_raw)
    asked = Descriptor("application/vnd.oci.image.manifest.v1+json", index.digest, index.size)
    got = store.get(asked, ref_of("foo/bar"))
    assert got.media_type == "application/vnd.oci.image.index.v1+json"
    assert remote.gets == 1
    assert_no_ingest(content, asked)
