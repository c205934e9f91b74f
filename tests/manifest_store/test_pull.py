"""ManifestStore.pull against the counting remote: HEAD first, children, platforms, fetch log."""

from __future__ import annotations

from typing import Any

import pytest

from mstoolkit.descriptor import Descriptor
from mstoolkit.errors import NotFound, Unavailable
from mstoolkit.manifest_store import FetchOutcome, ManifestStore
from mstoolkit.manifest_store.testing import CountingRemote, FakeAnswer
from tests.manifest_store.conftest import REGISTRY, oci_index, oci_manifest

PLATFORMS = ["linux/amd64", "linux/arm64/v8", "linux/arm/v7"]


def push_index(
    remote: CountingRemote, repo: str, tag: str = "multi"
) -> tuple[Descriptor, list[Descriptor]]:
    children = [remote.push(repo, oci_manifest(p)) for p in PLATFORMS]
    index = remote.push(repo, oci_index(list(zip(children, PLATFORMS, strict=True))), tags=[tag])
    return index, children


def test_pull_by_tag_heads_then_gets_and_a_second_pull_only_heads(
    store: ManifestStore, content: Any, remote: CountingRemote
) -> None:
    """A tag costs HEAD + GET the first time and a single HEAD once cached."""
    desc = remote.push("library/app", oci_manifest(), tags=["1.0"])
    first = store.pull(f"{REGISTRY}/library/app:1.0")
    assert first.descriptor == desc
    assert first.manifest.digest == desc.digest
    assert [r.outcome for r in first.rows] == [FetchOutcome.FETCHED]
    assert remote.calls == {"head_manifest": 1, "get_manifest": 1}

    remote.reset()
    second = store.pull(f"{REGISTRY}/library/app:1.0")
    assert [r.outcome for r in second.rows] == [FetchOutcome.CACHED]
    assert remote.calls == {"head_manifest": 1}
    assert second.ok
    assert second.cached == 1
    assert second.fetched == 0


def test_pull_without_a_tag_uses_latest(store: ManifestStore, remote: CountingRemote) -> None:
    """A bare name pulls ``latest``, as docker does."""
    remote.push("library/app", oci_manifest(), tags=["latest"])
    result = store.pull(f"{REGISTRY}/library/app")
    assert result.reference == f"{REGISTRY}/library/app:latest"
    assert result.rows[0].reference == "latest"


def test_pull_of_an_index_gets_every_child_once(
    store: ManifestStore, content: Any, remote: CountingRemote
) -> None:
    """An index brings its children, each cached and labelled with the repository."""
    index, children = push_index(remote, "multi/app")
    result = store.pull(f"{REGISTRY}/multi/app:multi")
    assert result.manifest.digest == index.digest
    assert [c.digest for c in result.children] == [c.digest for c in children]
    assert len(result.rows) == 4
    child_rows = result.rows[1:]
    assert {r.parent for r in child_rows} == {str(index.digest)}
    assert {r.platform for r in child_rows} == set(PLATFORMS)
    assert {r.outcome for r in child_rows} == {FetchOutcome.FETCHED}
    label = f"containerd.io/distribution.source.{REGISTRY}"
    for child in children:
        assert content.info(child.digest).labels[label] == "multi/app"

    remote.reset()
    again = store.pull(f"{REGISTRY}/multi/app:multi")
    assert remote.calls == {"head_manifest": 1}
    assert again.cached == 4


def test_pull_one_platform(store: ManifestStore, remote: CountingRemote) -> None:
    """``platform=`` keeps only the matching child; an empty variant matches any."""
    _, children = push_index(remote, "multi/app")
    result = store.pull(f"{REGISTRY}/multi/app:multi", platform="linux/arm64")
    assert [c.digest for c in result.children] == [children[1].digest]
    assert [r.platform for r in result.rows[1:]] == ["linux/arm64/v8"]


def test_pull_not_recursive_skips_children(store: ManifestStore, remote: CountingRemote) -> None:
    """``recursive=False`` gets the index alone."""
    push_index(remote, "multi/app")
    result = store.pull(f"{REGISTRY}/multi/app:multi", recursive=False)
    assert result.children == ()
    assert remote.gets == 1


def test_pull_by_digest_from_a_foreign_repository(
    store: ManifestStore, remote: CountingRemote
) -> None:
    """A digest pull honours the GHSA rule: the repo must have it, asked with HEAD."""
    desc = remote.push("one/app", oci_manifest(), tags=["1.0"])
    store.pull(f"{REGISTRY}/one/app:1.0")
    remote.reset()
    with pytest.raises(NotFound):
        store.pull(f"{REGISTRY}/two/app@{desc.digest}")
    remote.push("two/app", oci_manifest())
    remote.reset()
    result = store.pull(f"{REGISTRY}/two/app@{desc.digest}")
    assert result.rows[0].outcome is FetchOutcome.CACHED
    assert remote.calls == {"exists": 1}


def test_failed_children_are_rows_and_the_pull_goes_on(
    store: ManifestStore, remote: CountingRemote
) -> None:
    """A child the registry lost becomes an error row; the others are still pulled."""
    _, children = push_index(remote, "multi/app")
    remote.delete("multi/app", children[0].digest)
    result = store.pull(f"{REGISTRY}/multi/app:multi")
    errors = [r for r in result.rows if r.outcome is FetchOutcome.ERROR]
    assert [r.digest for r in errors] == [str(children[0].digest)]
    assert errors[0].error_category == "not-found"
    assert result.fetched == 3
    assert not result.ok


def test_every_fetch_is_in_the_fetch_log(
    store: ManifestStore, content: Any, remote: CountingRemote
) -> None:
    """The store's fetch log gets one record per row, failures included."""
    push_index(remote, "multi/app")
    store.pull(f"{REGISTRY}/multi/app:multi")
    remote.fail(Unavailable("down"), method="head_manifest")
    with pytest.raises(Unavailable):
        store.pull(f"{REGISTRY}/multi/app:multi")
    log = content.fetch_log()
    assert [r.outcome for r in log] == ["fetched"] * 4 + ["error"]
    assert log[-1].error_category == "unavailable"
    assert {r.registry for r in log} == {REGISTRY}
    assert {r.repository for r in log} == {"multi/app"}


class NoHeadRemote:
    """A remote without HEAD: only the seed's get_manifest and exists."""

    def __init__(self, inner: CountingRemote) -> None:
        self.inner = inner

    def get_manifest(self, repo: str, reference: str, /) -> FakeAnswer:
        return self.inner.get_manifest(repo, reference)

    def exists(self, repo: str, digest: Any, /) -> bool:
        return self.inner.exists(repo, digest)


def test_pull_with_a_remote_that_cannot_head_resolves_with_one_get(
    content: Any, remote: CountingRemote
) -> None:
    """Without HEAD the tag is resolved by GET and that answer is persisted, not fetched twice."""
    desc = remote.push("library/app", oci_manifest(), tags=["1.0"])
    store = ManifestStore(content, NoHeadRemote(remote))
    result = store.pull(f"{REGISTRY}/library/app:1.0")
    assert result.manifest.digest == desc.digest
    assert remote.calls == {"get_manifest": 1}
    assert content.info(desc.digest).size == desc.size
