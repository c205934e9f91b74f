"""audit() of the whole seeded registry, and an audit killed half-way then resumed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from mstoolkit.content import LocalStore
from mstoolkit.manifest_store import FetchOutcome, ManifestStore
from mstoolkit.manifest_store.audit import audit
from mstoolkit.manifest_store.testing import CountingRemote
from mstoolkit.registry import AsyncRegistryClient
from tests.support.registry_server import RegistryServer

pytestmark = pytest.mark.registry

ROOT = Path(__file__).resolve().parents[2]


class CountingTransport(httpx.AsyncHTTPTransport):
    """Counts manifest requests by method (GET spends pull quota, HEAD does not)."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if "/manifests/" in request.url.path:
            self.counts[request.method] += 1
        return await super().handle_async_request(request)


def expected_rows(server: RegistryServer) -> set[tuple[str, str]]:
    return {(row.repo, row.reference) for row in server.live_rows}


def assert_inventory_cached(server: RegistryServer, local: LocalStore) -> None:
    key = f"containerd.io/distribution.source.{server.host}"
    for row in server.live_rows:
        labels = local.info(row.digest).labels
        assert row.repo in labels[key].split(","), row


def test_audit_of_the_seeded_registry_caches_every_inventory_row(
    registry_server: RegistryServer, make_local_store: Any, no_ingest_left: None
) -> None:
    """Every live inventory row becomes an ok audit row, cached with its repository label."""
    local: LocalStore = make_local_store()
    store = ManifestStore(local, CountingRemote("unused"))
    result = audit(store, registry_server.host, concurrency=8, progress=False)
    assert result.failures == ()
    assert {(r.repository, r.reference) for r in result.rows} == expected_rows(registry_server)
    assert len(result.rows) == len(registry_server.live_rows)
    by_key = {(r.repository, r.reference): r for r in result.rows}
    for row in registry_server.live_rows:
        got = by_key[(row.repo, row.reference)]
        assert (got.digest, got.media_type) == (row.digest, row.media_type), row
    assert_inventory_cached(registry_server, local)
    assert "edge/deleted" in result.repositories
    assert len(local.fetch_log()) == len(result.rows)


def test_audit_progress_bar_and_rerun_with_heads_only(
    registry_server: RegistryServer,
    make_local_store: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A rerun over a full cache sends no manifest GET; the progress bar reaches the total."""
    local: LocalStore = make_local_store()
    store = ManifestStore(local, CountingRemote("unused"))
    audit(store, registry_server.host, repositories=["library/hello", "cross/one"])
    err = capsys.readouterr().err
    assert registry_server.host in err
    assert "manifest" in err
    transport = CountingTransport()
    client = AsyncRegistryClient(registry_server.host, insecure=True, transport=transport)
    again = audit(
        store,
        registry_server.host,
        repositories=["library/hello", "cross/one"],
        client=client,
        progress=False,
    )
    assert again.fetched == 0
    assert transport.counts["GET"] == 0
    assert transport.counts["HEAD"] == sum(1 for r in again.rows if not r.parent)


_KILLABLE = textwrap.dedent(
    """
    import asyncio, sys
    import httpx
    from mstoolkit.content import LocalStore
    from mstoolkit.manifest_store import ManifestStore
    from mstoolkit.manifest_store.audit import audit
    from mstoolkit.manifest_store.testing import CountingRemote
    from mstoolkit.registry import AsyncRegistryClient

    class Slow(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request):
            await asyncio.sleep(0.04)
            return await super().handle_async_request(request)

    host, root, resolve = sys.argv[1], sys.argv[2], sys.argv[3]
    client = AsyncRegistryClient(host, insecure=True, transport=Slow(), max_concurrency=2)
    audit(ManifestStore(LocalStore(root), CountingRemote("unused")), host, client=client,
          concurrency=2, progress=False, resolve=resolve)
    print("finished")
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("resolve", ["head", "auto"])
def test_a_killed_audit_resumes_without_refetching(
    registry_server: RegistryServer, tmp_path: Path, make_local_store: Any, resolve: str
) -> None:
    """SIGKILL an audit after some fetches; the rerun GETs only what was not committed
    ("head"), or only tags whose fetch was not logged before the kill ("auto")."""
    root = tmp_path / "store"
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLABLE, registry_server.host, str(root), resolve],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        deadline = time.monotonic() + 60
        while not (root / "metadata.db").exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.02)
        watcher: LocalStore = make_local_store(root)
        while len(watcher.fetch_log()) < 12:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        out, _ = proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert b"finished" not in out

    held = {str(info.digest) for info in watcher.walk()}
    log = watcher.fetch_log()
    logged = len(log)
    seen = {(rec.repository, rec.reference) for rec in log if rec.outcome != "error"}
    assert 0 < logged < len(registry_server.live_rows)

    transport = CountingTransport()
    client = AsyncRegistryClient(registry_server.host, insecure=True, transport=transport)
    store = ManifestStore(watcher, CountingRemote("unused"))
    result = audit(
        store, registry_server.host, client=client, progress=False, resolve=resolve
    )
    assert result.failures == ()
    assert {(r.repository, r.reference) for r in result.rows} == expected_rows(registry_server)
    fetched = [r for r in result.rows if r.outcome is FetchOutcome.FETCHED]
    assert transport.counts["GET"] == len(fetched)
    if resolve == "head":
        assert {r.digest for r in fetched}.isdisjoint(held)
    else:
        refetched = {(r.repository, r.reference) for r in fetched if r.digest in held}
        assert refetched.isdisjoint(seen)
    if resolve == "head":
        assert len(fetched) < len({row.digest for row in registry_server.live_rows})
    else:  # every tag logged before the kill costs a HEAD and no GET
        assert not {(r.repository, r.reference) for r in fetched} & seen
    assert_inventory_cached(registry_server, watcher)
    assert watcher.list_statuses() == []
