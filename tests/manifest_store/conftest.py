"""Fixtures for the manifest store tests: real content stores and the counting fake remote."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mstoolkit.descriptor import Descriptor
from mstoolkit.digest import Digest
from mstoolkit.manifest_store import ManifestStore
from mstoolkit.manifest_store.testing import CountingRemote

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SIGNED_SCHEMA1 = FIXTURES / "blobs" / "containers-image" / "v2s1.manifest.json"
REGISTRY = "registry.test"


def oci_manifest(seed: str = "a") -> bytes:
    """A small valid OCI image manifest whose digest depends on *seed*."""
    config = Digest.from_bytes(f"config-{seed}".encode())
    layer = Digest.from_bytes(f"layer-{seed}".encode())
    doc = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": str(config),
            "size": 8,
        },
        "layers": [
            {
                "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                "digest": str(layer),
                "size": 7,
            }
        ],
    }
    return json.dumps(doc, separators=(",", ":")).encode()


def oci_index(children: list[tuple[Descriptor, str]]) -> bytes:
    """An OCI index of *children* (descriptor, ``os/arch[/variant]``)."""
    manifests: list[dict[str, Any]] = []
    for desc, platform in children:
        os_, arch, *variant = platform.split("/")
        plat: dict[str, str] = {"architecture": arch, "os": os_}
        if variant:
            plat["variant"] = variant[0]
        manifests.append(
            {
                "mediaType": desc.media_type,
                "digest": str(desc.digest),
                "size": desc.size,
                "platform": plat,
            }
        )
    doc = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": manifests,
    }
    return json.dumps(doc, separators=(",", ":")).encode()


@pytest.fixture
def content(store_factory: Callable[[], Any], no_ingest_left: None) -> Any:
    """Each content store implementation, fresh per test; no test may leave an ingest."""
    return store_factory()


@pytest.fixture
def remote() -> CountingRemote:
    """An empty in-memory registry that counts its calls."""
    return CountingRemote(REGISTRY)


@pytest.fixture
def store(content: Any, remote: CountingRemote) -> ManifestStore:
    """A manifest store over a fresh content store and the counting remote."""
    return ManifestStore(content, remote)
