"""audit() over the in-memory registry: every manifest cached, failures as rows, resumable."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from mstoolkit.content import LocalStore, MemoryStore
from mstoolkit.errors import InvalidArgument, Unavailable
from mstoolkit.manifest_store import FetchOutcome, ManifestStore
from mstoolkit.manifest_store.audit import audit, audit_async
from mstoolkit.manifest_store.testing import AsyncCountingClient, CountingRemote
from tests.manifest_store.conftest import REGISTRY, oci_index, oci_manifest

PLATFORMS = ["linux/amd64", "linux/arm64/v8"]
LABEL = f"containerd.io/distribution.source.{REGISTRY}"


def seeded() -> CountingRemote:
    """A small registry: plain tags, a shared digest across repos, an index, a broken tag."""
    remote = CountingRemote(REGISTRY)
    remote.push("library/hello", oci_manifest("hello"), tags=["1.0", "latest"])
    remote.push("cross/one", oci_manifest("shared"), tags=["1.0"])
    remote.push("cross/two", oci_manifest("shared"), tags=["1.0"])
    for repo in ("multi/app", "cross/two"):  # the same index in two repositories
        children = [remote.push(repo, oci_manifest(p)) for p in PLATFORMS]
        remote.push(repo, oci_index(list(zip(children, PLATFORMS, strict=True))), tags=["idx"])
    remote.push(
        "broken/app",
        b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}',
        tags=["bad"],
        media_type="application/vnd.oci.image.manifest.v1+json",
    )
    return remote


def expected_rows(remote: CountingRemote) -> int:
    """Tags, plus each index's children once per repository."""
    return 2 + 1 + 1 + 1 + 1 + 2 * len(PLATFORMS) + 1


@pytest.fixture
def registry() -> CountingRemote:
    return seeded()


def test_audit_caches_every_manifest_and_reports_the_broken_one(
    content: Any, registry: CountingRemote
) -> None:
    """Every tag and child is cached and labelled; the invalid manifest is one error row."""
    store = ManifestStore(content, registry)
    result = audit(store, REGISTRY, client=AsyncCountingClient(registry), progress=False)
    assert len(result.rows) == expected_rows(registry)
    assert result.repositories == tuple(registry.repositories())
    errors = result.failures
    assert [(r.repository, r.reference, r.error_category) for r in errors] == [
        ("broken/app", "bad", "invalid-argument")
    ]
    for row in result.rows:
        if row.ok:
            assert row.persisted
            labels = content.info(row.digest).labels
            assert row.repository in labels[LABEL].split(",")
    shared = next(r.digest for r in result.rows if r.repository == "cross/one")
    assert content.info(shared).labels[LABEL] == "cross/one,cross/two"
    children = [r for r in result.rows if r.parent]
    assert {r.platform for r in children} == set(PLATFORMS)
    assert len(content.fetch_log()) == len(result.rows)


@pytest.mark.parametrize(("resolve", "heads"), [("head", 7), ("auto", 6)])
def test_a_rerun_only_heads(
    content: Any, registry: CountingRemote, resolve: str, heads: int
) -> None:
    """Resumable: a second audit fetches nothing it already holds, using HEAD only (with
    "auto", the broken tag, never fetched successfully, goes straight to its GET)."""
    store = ManifestStore(content, registry)
    audit(store, REGISTRY, client=AsyncCountingClient(registry), progress=False, resolve=resolve)
    registry.reset()
    again = audit(
        ManifestStore(content, registry),
        REGISTRY,
        client=AsyncCountingClient(registry),
        progress=False,
        resolve=resolve,
    )
    assert registry.calls["get_manifest"] == 1  # the broken manifest, never cached
    assert again.fetched == 0
    assert again.cached == expected_rows(registry) - 1
    assert registry.calls["head_manifest"] == heads  # per tag; children need no request


def test_a_first_auto_audit_sends_one_get_per_manifest(
    content: Any, registry: CountingRemote
) -> None:
    """resolve="auto" (the default) GETs each tag the fetch log never saw, with no HEAD."""
    result = audit(
        ManifestStore(content, registry), REGISTRY, client=AsyncCountingClient(registry),
        progress=False,
    )
    assert registry.calls["head_manifest"] == 0
    # One GET per row fetched (and one for the broken tag): index children shared by two
    # repositories are either fetched in each or served from the cache to the second.
    assert len(result.rows) == expected_rows(registry)
    assert registry.calls["get_manifest"] == result.fetched + result.failed


def test_auto_heads_only_the_tags_this_store_fetched(content: Any) -> None:
    """A tag logged by an earlier audit is HEADed; a new tag is fetched with one GET."""
    registry = CountingRemote(REGISTRY)
    registry.push("app/one", oci_manifest("v1"), tags=["v1"])
    store = ManifestStore(content, registry)
    audit(store, REGISTRY, client=AsyncCountingClient(registry), progress=False)
    registry.push("app/one", oci_manifest("v2"), tags=["v2"])
    registry.reset()
    result = audit(store, REGISTRY, client=AsyncCountingClient(registry), progress=False)
    assert registry.calls["head_manifest"] == 1
    assert registry.calls["get_manifest"] == 1
    outcomes = {row.reference: row.outcome for row in result.rows}
    assert outcomes == {"v1": FetchOutcome.CACHED, "v2": FetchOutcome.FETCHED}


def test_an_interrupted_audit_resumes_without_refetching(tmp_path: Any) -> None:
    """Cancel an audit mid-way; the rerun GETs exactly what the first run did not commit."""
    registry = seeded()
    for i in range(30):
        registry.push("many/tags", oci_manifest(f"many-{i}"), tags=[f"t{i}"])
    content = LocalStore(tmp_path / "store")
    store = ManifestStore(content, registry)

    async def interrupted() -> None:
        task = asyncio.create_task(
            audit_async(
                store,
                REGISTRY,
                client=AsyncCountingClient(registry, delay=0.002),
                progress=False,
                concurrency=4,
                resolve="head",
            )
        )
        while registry.gets < 12:
            await asyncio.sleep(0.001)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(interrupted())
    assert content.list_statuses() == []
    held = {str(i.digest) for i in content.walk()}
    assert len(held) > 0
    registry.reset()
    result = audit(
        ManifestStore(content, registry),
        REGISTRY,
        client=AsyncCountingClient(registry),
        progress=False,
        resolve="head",
    )
    fetched = [r.digest for r in result.rows if r.outcome is FetchOutcome.FETCHED]
    assert set(fetched).isdisjoint(held)
    assert registry.gets == len(fetched) + 1  # + the broken manifest
    assert result.failed == 1
    assert {str(i.digest) for i in content.walk()} >= held | set(fetched)


def test_repositories_and_tags_filters(registry: CountingRemote) -> None:
    """``repositories=`` skips the catalog and ``tags=`` the tag lists."""
    store = ManifestStore(MemoryStore(), registry)
    result = audit(
        store,
        REGISTRY,
        repositories=["library/hello"],
        tags=["latest"],
        client=AsyncCountingClient(registry),
        progress=False,
    )
    assert [(r.repository, r.reference) for r in result.rows] == [("library/hello", "latest")]
    assert "catalog" not in registry.calls


def test_a_missing_repository_is_an_error_row(registry: CountingRemote) -> None:
    """A repository whose tag list fails is reported, not raised."""
    store = ManifestStore(MemoryStore(), registry)
    result = audit(
        store,
        REGISTRY,
        repositories=["nope/nothing", "cross/one"],
        client=AsyncCountingClient(registry),
        progress=False,
    )
    assert sorted((r.repository, r.outcome) for r in result.rows) == [
        ("cross/one", FetchOutcome.FETCHED),
        ("nope/nothing", FetchOutcome.ERROR),
    ]
    assert result.failures[0].error_category == "not-found"


def test_audit_from_a_running_event_loop(registry: CountingRemote) -> None:
    """Inside a running loop (a Jupyter cell) the sync audit still works."""
    store = ManifestStore(MemoryStore(), registry)

    async def cell() -> int:
        return len(
            audit(store, REGISTRY, client=AsyncCountingClient(registry), progress=False).rows
        )

    assert asyncio.run(cell()) == expected_rows(registry)


def test_concurrency_must_be_positive(registry: CountingRemote) -> None:
    """A zero concurrency is refused up front."""
    with pytest.raises(InvalidArgument):
        audit(
            ManifestStore(MemoryStore(), registry),
            REGISTRY,
            client=AsyncCountingClient(registry),
            concurrency=0,
        )


def test_store_on_the_loop_thread_gives_the_same_result(
    tmp_path: Any, registry: CountingRemote
) -> None:
    """``store_threads=0`` (the store's work on the event loop thread) caches the same."""
    content = LocalStore(tmp_path / "store")
    result = audit(
        ManifestStore(content, registry),
        REGISTRY,
        client=AsyncCountingClient(registry),
        progress=False,
        store_threads=0,
    )
    assert result.failed == 1
    assert len({str(i.digest) for i in content.walk()}) == len(
        {r.digest for r in result.rows if r.ok}
    )


def test_resolve_get_sends_one_get_per_tag_and_no_head(registry: CountingRemote) -> None:
    """``resolve="get"`` fetches each tag directly: one request per tag, no HEAD."""
    store = ManifestStore(MemoryStore(), registry)
    result = store.audit(
        REGISTRY, client=AsyncCountingClient(registry), progress=False, resolve="get"
    )
    assert registry.calls["head_manifest"] == 0
    fetched = [r for r in result.rows if r.outcome is FetchOutcome.FETCHED]
    assert registry.calls["get_manifest"] == len(fetched) + 1  # + the broken manifest
    assert len(result.rows) == expected_rows(registry)
    tagged = [r for r in result.rows if not r.parent]
    assert all(r.outcome is not FetchOutcome.CACHED for r in tagged)


def test_an_unknown_resolve_mode_is_refused(registry: CountingRemote) -> None:
    """Only "head" and "get" resolve tags."""
    with pytest.raises(InvalidArgument, match="guess"):
        audit(
            ManifestStore(MemoryStore(), registry),
            REGISTRY,
            client=AsyncCountingClient(registry),
            resolve="guess",
        )


def test_on_row_hears_every_row_and_cannot_break_the_audit(
    content: Any, registry: CountingRemote
) -> None:
    """on_row is called with each row as it is made; a callback that raises is only logged."""
    heard: list[str] = []

    def listen(row: Any) -> None:
        heard.append(row.reference)
        raise RuntimeError("a broken progress display")

    result = audit(
        ManifestStore(content, registry), REGISTRY, client=AsyncCountingClient(registry),
        progress=False, on_row=listen,
    )
    assert heard == [row.reference for row in result.rows]
    assert len(result.rows) == expected_rows(registry)


def test_a_store_whose_batches_fail_still_gets_every_manifest(
    registry: CountingRemote,
) -> None:
    """When commit_many raises, each manifest takes the writer path and is still cached."""

    class Failing(MemoryStore):
        def commit_many(self, puts: Any, /) -> Any:
            raise Unavailable("disk full while committing a batch")

    content = Failing()
    result = audit(
        ManifestStore(content, registry), REGISTRY, client=AsyncCountingClient(registry),
        progress=False,
    )
    assert len(result.rows) == expected_rows(registry)
    for row in result.rows:
        if row.ok:
            assert row.persisted
            assert LABEL in content.info(row.digest).labels
