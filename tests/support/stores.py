"""Content store fixtures: fresh stores of every kind, and a guard against leftover ingests.

``store`` is parametrized over ``LocalStore`` (in ``tmp_path``) and ``MemoryStore``, so a test
that takes it runs against both. Every store made through these fixtures is remembered, and
``no_ingest_left`` fails a test that leaves an unfinished ingest in any of them; opt in per
module with ``pytestmark = pytest.mark.usefixtures("no_ingest_left")``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mstoolkit.content import LocalStore, MemoryStore, Store
from mstoolkit.content.testing import assert_no_ingests

StoreFactory = Callable[[], Store]


@pytest.fixture
def opened_stores() -> list[Store]:
    """Every store the factories below made during this test."""
    return []


@pytest.fixture
def make_local_store(
    tmp_path: Path, opened_stores: list[Store]
) -> Iterator[Callable[..., LocalStore]]:
    """Factory of LocalStores; without a root each call gets a new directory in tmp_path."""
    made: list[LocalStore] = []

    def make(root: Path | None = None, **kwargs: object) -> LocalStore:
        if root is None:
            root = tmp_path / f"store{len(made)}"
        store = LocalStore(root, **kwargs)  # type: ignore[arg-type]
        made.append(store)
        opened_stores.append(store)
        return store

    yield make
    for store in made:
        store.close()


@pytest.fixture
def make_memory_store(opened_stores: list[Store]) -> Callable[[], MemoryStore]:
    """Factory of empty MemoryStores."""

    def make() -> MemoryStore:
        store = MemoryStore()
        opened_stores.append(store)
        return store

    return make


@pytest.fixture(params=["local", "memory"])
def store_factory(
    request: pytest.FixtureRequest,
    make_local_store: Callable[..., LocalStore],
    make_memory_store: Callable[[], MemoryStore],
) -> StoreFactory:
    """A factory of fresh empty stores, once per store implementation."""
    if request.param == "local":
        return make_local_store
    return make_memory_store


@pytest.fixture
def store(store_factory: StoreFactory) -> Store:
    """A fresh empty store, once per store implementation."""
    return store_factory()


@pytest.fixture
def no_ingest_left(opened_stores: list[Store]) -> Iterator[None]:
    """Fail the test if any store it opened still holds an unfinished ingest afterwards."""
    yield
    for store in opened_stores:
        assert_no_ingests(store)
