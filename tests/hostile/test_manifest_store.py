"""The manifest store's audit against a registry that lists hostile repository and tag names:
each bad name is one error row with its category, and the audit ends."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from mstoolkit.content import LocalStore, MemoryStore
from mstoolkit.digest import Digest
from mstoolkit.manifest_store import ManifestStore
from mstoolkit.manifest_store.testing import CountingRemote
from mstoolkit.mediatypes import OCI_MANIFEST
from mstoolkit.registry import AsyncRegistryClient, RegistryAuth, RetryPolicy

MANIFEST = json.dumps({
    "schemaVersion": 2, "mediaType": OCI_MANIFEST,
    "config": {"mediaType": "a/b", "digest": str(Digest.from_bytes(b"c")), "size": 1},
    "layers": [],
}).encode()
DIGEST = str(Digest.from_bytes(MANIFEST))
BAD_REPOSITORIES = ["../..", "UP", "", "a\nb", "x" * 300, "ok/é"]
BAD_TAGS = ["", "a b", "\n", "x" * 300, "../..", "é", "t@" + DIGEST]


@pytest.mark.timeout(60)
def test_audit_of_hostile_names_ends_with_one_row_each() -> None:
    """A registry listing an empty tag made the audit list that repository's tags again and
    again (an empty tag was taken for "no tag": an endless loop of requests); now every bad
    repository and tag is one invalid-argument row and the good tag is fetched."""
    requests: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request.url.path)
        path = request.url.path
        if path == "/v2/_catalog":
            return httpx.Response(200, json={"repositories": ["good", *BAD_REPOSITORIES]})
        if path.endswith("/tags/list"):
            return httpx.Response(200, json={"tags": ["t", *BAD_TAGS]})
        if "/manifests/" in path:
            return httpx.Response(200, content=MANIFEST if request.method == "GET" else b"",
                                  headers={"Content-Type": OCI_MANIFEST,
                                           "Docker-Content-Digest": DIGEST,
                                           "Content-Length": str(len(MANIFEST))})
        return httpx.Response(404)

    client = AsyncRegistryClient("registry.example", transport=httpx.MockTransport(handler),
                                 auth=RegistryAuth(origin="https://registry.example/"),
                                 retries=RetryPolicy(attempts=1))
    store = ManifestStore(MemoryStore(), CountingRemote())
    result = store.audit("registry.example", client=client, progress=False)
    rows = result.rows
    assert len(rows) == len(BAD_REPOSITORIES) + len(BAD_TAGS) + 1
    assert requests.count("/v2/good/tags/list") == 1
    failed = [row for row in rows if row.error]
    assert {row.error_category for row in failed} == {"invalid-argument"}
    assert sorted(row.reference for row in failed if row.repository == "good") == sorted(BAD_TAGS)
    fetched = [row for row in rows if not row.error]
    assert [(row.repository, row.reference) for row in fetched] == [("good", "t")]


def test_audit_logs_every_row_of_names_with_lone_surrogates(tmp_path: Path) -> None:
    """Tags and repositories sent as lone surrogate escapes reach the fetch log as rows (their
    insert failed with UnicodeEncodeError and the row was dropped with a warning)."""
    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v2/_catalog":
            return httpx.Response(200, content=b'{"repositories":["good","bad\\ud800"]}')
        if path.endswith("/tags/list"):
            return httpx.Response(200, content=b'{"tags":["t","x\\udcff","\\ud800"]}')
        return httpx.Response(200, content=MANIFEST if request.method == "GET" else b"",
                              headers={"Content-Type": OCI_MANIFEST,
                                       "Docker-Content-Digest": DIGEST,
                                       "Content-Length": str(len(MANIFEST))})

    client = AsyncRegistryClient("registry.example", transport=httpx.MockTransport(handler),
                                 auth=RegistryAuth(origin="https://registry.example/"),
                                 retries=RetryPolicy(attempts=1))
    local = LocalStore(tmp_path / "store")
    try:
        result = ManifestStore(local, CountingRemote()).audit(
            "registry.example", client=client, progress=False)
        logged = [(rec.repository, rec.reference) for rec in local.fetch_log()]
    finally:
        local.close()
    assert sorted(logged) == sorted((row.repository, row.reference) for row in result.rows)
    assert ("good", "x\ufffd") in logged
    assert ("bad\ufffd", "") in logged
