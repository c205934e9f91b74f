"""Widgets are tested with real parts: the seeded registry, a LocalStore in tmp_path, Agg."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import matplotlib
import pytest

from mstoolkit.content import LocalStore
from mstoolkit.manifest_store import ManifestStore
from mstoolkit.registry import RegistryClient
from tests.support.registry_server import RegistryServer

matplotlib.use("Agg")


@pytest.fixture
def local_store(tmp_path: Path) -> Iterator[LocalStore]:
    """An empty content store of the test's own, closed after the test."""
    store = LocalStore(tmp_path / "store")
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def manifest_store(
    registry_server: RegistryServer, local_store: LocalStore
) -> Iterator[ManifestStore]:
    """A manifest store over the seeded registry (plain HTTP on loopback)."""
    client = RegistryClient(registry_server.host, insecure=True)
    try:
        yield ManifestStore(local_store, client)
    finally:
        client.close()
