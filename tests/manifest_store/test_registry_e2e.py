"""The manifest store end to end against the real seeded registry (distribution 2.8)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from mstoolkit.content import LocalStore
from mstoolkit.descriptor import Descriptor
from mstoolkit.digest import Digest
from mstoolkit.errors import NotFound
from mstoolkit.manifest.models import DockerSchema1
from mstoolkit.manifest_store import FetchOutcome, ManifestStore, Source
from mstoolkit.mediatypes import DOCKER_SCHEMA1_SIGNED
from mstoolkit.reference import parse_reference
from mstoolkit.registry import FetchedManifest, RegistryClient
from tests.support.registry_server import RegistryServer

pytestmark = pytest.mark.registry


class CountingClient:
    """The real client, counting calls per method (what the store asks of the registry)."""

    def __init__(self, inner: RegistryClient) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter()

    def get_manifest(self, repo: str, reference: str) -> FetchedManifest:
        self.calls["get_manifest"] += 1
        return self.inner.get_manifest(repo, reference)

    def head_manifest(self, repo: str, reference: str) -> Descriptor:
        self.calls["head_manifest"] += 1
        return self.inner.head_manifest(repo, reference)

    def exists(self, repo: str, digest: Any) -> bool:
        self.calls["exists"] += 1
        return self.inner.exists(repo, digest)


@pytest.fixture
def client(registry_server: RegistryServer) -> Iterator[CountingClient]:
    with RegistryClient(registry_server.host, insecure=True) as inner:
        yield CountingClient(inner)


@pytest.fixture
def local(make_local_store: Any, no_ingest_left: None) -> LocalStore:
    store: LocalStore = make_local_store()
    return store


def label_key(server: RegistryServer) -> str:
    return f"containerd.io/distribution.source.{server.host}"


def test_every_inventory_row_pulls_with_its_digest_and_label(
    registry_server: RegistryServer, local: LocalStore, client: CountingClient
) -> None:
    """Each live seeded tag and index child is served with the inventory digest and cached."""
    store = ManifestStore(local, client)
    key = label_key(registry_server)
    for row in registry_server.live_rows:
        sep = "@" if row.child else ":"
        result = store.pull(
            f"{registry_server.host}/{row.repo}{sep}{row.reference}", recursive=False
        )
        assert str(result.manifest.digest) == row.digest, row
        assert result.rows[0].media_type == row.media_type, row
        assert row.repo in local.info(row.digest).labels[key].split(","), row


def test_a_second_get_of_every_row_makes_no_remote_call(
    registry_server: RegistryServer, local: LocalStore, client: CountingClient
) -> None:
    """Once cached, getting the same descriptors again (fresh memo) never calls the registry."""
    store = ManifestStore(local, client)
    descs = []
    for row in registry_server.live_rows:
        ref = parse_reference(f"{registry_server.host}/{row.repo}@{row.digest}")
        desc = Descriptor(row.media_type, row.digest, 0)
        store.get(desc, ref)
        descs.append((desc, ref))
    client.calls.clear()
    fresh = ManifestStore(local, client, memo_size=0)
    for desc, ref in descs:
        assert fresh.serve(desc, ref).source is Source.CACHE
    assert sum(client.calls.values()) == 0


def test_cross_repository_digests(
    registry_server: RegistryServer, local: LocalStore, client: CountingClient
) -> None:
    """cross/two gets cross/one's cached digest after one HEAD; a repo without it gets NotFound."""
    host = registry_server.host
    store = ManifestStore(local, client)
    one = store.pull(f"{host}/cross/one:1.0")
    digest = one.descriptor.digest
    client.calls.clear()

    two = store.pull(f"{host}/cross/two@{digest}")
    assert two.rows[0].outcome is FetchOutcome.CACHED
    assert client.calls == {"exists": 1}
    assert local.info(digest).labels[label_key(registry_server)] == "cross/one,cross/two"

    client.calls.clear()
    with pytest.raises(NotFound):
        store.get(
            Descriptor(one.descriptor.media_type, digest, 0),
            parse_reference(f"{host}/library/hello@{digest}"),
        )
    assert client.calls["exists"] == 1
    assert local.info(digest).labels[label_key(registry_server)] == "cross/one,cross/two"


def test_shared_index_children_cost_heads_not_gets_in_the_second_repository(
    registry_server: RegistryServer, local: LocalStore, client: CountingClient
) -> None:
    """cross/two:multi after cross/one:multi: one HEAD for the tag, one per child, no GET."""
    host = registry_server.host
    store = ManifestStore(local, client)
    first = store.pull(f"{host}/cross/one:multi")
    assert len(first.children) == 3
    client.calls.clear()
    second = store.pull(f"{host}/cross/two:multi")
    assert client.calls == {"head_manifest": 1, "exists": 3}
    assert second.cached == 4
    for child in second.children:
        labels = local.info(child.digest).labels[label_key(registry_server)]
        assert labels == "cross/one,cross/two"


@pytest.mark.parametrize("tag", ["oci-index", "manifest-list"])
def test_index_children_with_platforms(
    registry_server: RegistryServer, local: LocalStore, client: CountingClient, tag: str
) -> None:
    """An index pull brings the children the inventory lists, and one platform narrows it."""
    host = registry_server.host
    store = ManifestStore(local, client)
    parent = next(
        r for r in registry_server.live_rows if r.repo == "multiarch/hello" and r.tag == tag
    )
    expected = {
        r.digest
        for r in registry_server.live_rows
        if r.repo == "multiarch/hello" and r.child and parent.digest in r.note
    }
    result = store.pull(f"{host}/multiarch/hello:{tag}")
    assert {str(c.digest) for c in result.children} == expected
    arm = store.pull(f"{host}/multiarch/hello:{tag}", platform="linux/arm64")
    assert [r.platform for r in arm.rows[1:]] == ["linux/arm64/v8"]


def test_signed_schema1_from_the_registry(
    registry_server: RegistryServer, local: LocalStore, client: CountingClient
) -> None:
    """The registry re-signs schema1 on every GET; the store keeps the canonical payload."""
    host = registry_server.host
    row = next(
        r for r in registry_server.live_rows if r.repo == "library/hello" and r.tag == "v2s1"
    )
    store = ManifestStore(local, client)
    first = store.pull(f"{host}/library/hello:v2s1")
    assert isinstance(first.manifest, DockerSchema1)
    assert first.manifest.signed
    assert first.descriptor.media_type == DOCKER_SCHEMA1_SIGNED
    assert str(first.manifest.digest) == row.digest
    assert Digest.from_bytes(local.read(row.digest)) == Digest.parse(row.digest)

    client.calls.clear()
    again = ManifestStore(local, client, memo_size=0).pull(f"{host}/library/hello:v2s1")
    assert client.calls == {"head_manifest": 1}
    assert isinstance(again.manifest, DockerSchema1)
    assert not again.manifest.signed
    assert again.manifest.fs_layers == first.manifest.fs_layers


def test_deleted_manifest_is_not_found(
    registry_server: RegistryServer, local: LocalStore, client: CountingClient
) -> None:
    """edge/deleted's digest is gone from the registry: the pull fails and nothing is kept."""
    row = next(r for r in registry_server.inventory if r.deleted)
    store = ManifestStore(local, client)
    with pytest.raises(NotFound):
        store.pull(f"{registry_server.host}/{row.repo}@{row.digest}")
    assert local.fetch_log()[-1].error_category == "not-found"
