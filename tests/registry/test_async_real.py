"""AsyncRegistryClient against the real registry: concurrent audits of every seeded row."""

from __future__ import annotations

import asyncio

import pytest

from mstoolkit.errors import NotFound
from mstoolkit.registry import AsyncRegistryClient, FetchedManifest, RegistryClient
from tests.support.fault_proxy import FaultProxy
from tests.support.registry_server import RegistryServer

pytestmark = pytest.mark.registry


def test_concurrent_fetch_of_every_inventory_row(registry_server: RegistryServer) -> None:
    """All 55 live rows fetched at once (8 in flight) come back verified and right."""
    rows = registry_server.live_rows

    async def scenario() -> list[FetchedManifest]:
        async with AsyncRegistryClient(registry_server.host, insecure=True) as client:
            return await asyncio.gather(
                *(client.get_manifest(row.repo, row.reference) for row in rows)
            )

    fetched = asyncio.run(scenario())
    assert [(f.digest, f.media_type) for f in fetched] == [
        (row.digest, row.media_type) for row in rows
    ]


def test_async_connections_are_reused(fault_proxy: FaultProxy) -> None:
    """Many fetches travel over at most max_concurrency connections."""

    async def scenario() -> None:
        async with AsyncRegistryClient(fault_proxy.host, insecure=True, max_concurrency=4) as c:
            await asyncio.gather(
                *(c.get_manifest("pagination/many", f"tag-{i:03d}") for i in range(25))
            )

    asyncio.run(scenario())
    peers = {r.peer for r in fault_proxy.requests}
    assert len(fault_proxy.requests) == 25
    assert 1 <= len(peers) <= 4


def test_async_listings_head_exists_referrers_and_errors(
    registry_server: RegistryServer,
) -> None:
    """Async iterators page like the blocking ones; HEAD, exists, referrers and errors match."""

    async def scenario() -> None:
        async with AsyncRegistryClient(registry_server.host, insecure=True) as client:
            await client.ping()
            repos = [r async for r in client.catalog(page_size=4)]
            assert repos == sorted({row.repo for row in registry_server.inventory})
            tags = sorted([t async for t in client.tags("library/tiny")])
            assert tags == ["1.0", "oci", "v2s1"]
            head = await client.head_manifest("multiarch/hello", "manifest-list")
            assert str(head.digest).startswith("sha256:1d6d9be9")
            assert await client.exists("cross/one", head.digest) is False
            assert await client.exists("multiarch/hello", head.digest) is True
            assert await client.referrers("library/hello", head.digest) == []
            with pytest.raises(NotFound, match="MANIFEST_UNKNOWN"):
                await client.get_manifest("library/hello", "missing")

    asyncio.run(scenario())


def test_async_heads_reuse_their_connections(fault_proxy: FaultProxy) -> None:
    """HEADs travel over at most max_concurrency connections too (an unread HEAD answer used
    to drop its connection, so that an audit's HEADs each opened a new one)."""

    async def scenario() -> None:
        async with AsyncRegistryClient(fault_proxy.host, insecure=True, max_concurrency=2) as c:
            for i in range(12):
                await c.head_manifest("pagination/many", f"tag-{i:03d}")
            await asyncio.gather(
                *(c.head_manifest("pagination/many", f"tag-{i:03d}") for i in range(12))
            )

    asyncio.run(scenario())
    peers = {r.peer for r in fault_proxy.requests}
    assert [r.method for r in fault_proxy.requests] == ["HEAD"] * 24
    assert 1 <= len(peers) <= 2


def test_blocking_heads_reuse_their_connection(fault_proxy: FaultProxy) -> None:
    """The blocking client's HEADs share one keep-alive connection."""
    with RegistryClient(fault_proxy.host, insecure=True) as client:
        for i in range(6):
            client.head_manifest("pagination/many", f"tag-{i:03d}")
    assert len(fault_proxy.requests) == 6
    assert len({r.peer for r in fault_proxy.requests}) == 1
