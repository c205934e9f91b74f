"""The public conformance suite, run against LocalStore and MemoryStore."""

from __future__ import annotations

from pathlib import Path

import pytest

from mstoolkit.content import FetchRecord, LocalStore, MemoryStore
from mstoolkit.content.testing import (
    ConformanceCheck,
    ConformanceFailure,
    conformance_checks,
    run_conformance,
)
from tests.support.stores import StoreFactory

pytestmark = pytest.mark.usefixtures("no_ingest_left")


@pytest.mark.parametrize("check", conformance_checks(), ids=lambda c: c.name)
def test_conformance(check: ConformanceCheck, store_factory: StoreFactory) -> None:
    """Each store implementation passes each conformance check on a fresh store."""
    check(store_factory())


def test_every_check_documents_its_behaviour() -> None:
    """Every check has a one-sentence docstring and a unique name (they become test ids)."""
    checks = conformance_checks()
    assert len({c.name for c in checks}) == len(checks) > 15
    assert all(c.doc for c in checks)


def test_run_conformance_reports_the_failing_check() -> None:
    """run_conformance names the check a broken store fails."""

    class ForgetfulStore(MemoryStore):
        def fetch_log(self) -> list[FetchRecord]:
            return []

    with pytest.raises(ConformanceFailure, match=r"^fetch_log: fetch log"):
        run_conformance(ForgetfulStore)


def test_run_conformance_passes_a_local_store(tmp_path: Path) -> None:
    """run_conformance works without pytest parametrization for a disk store too."""
    roots = iter(range(100))
    stores: list[LocalStore] = []

    def factory() -> LocalStore:
        stores.append(LocalStore(tmp_path / str(next(roots))))
        return stores[-1]

    run_conformance(factory)
    for store in stores:
        store.close()
