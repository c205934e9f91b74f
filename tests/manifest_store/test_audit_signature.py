"""ManifestStore.audit spells out the module-level audit()'s options, typed the same way."""

from __future__ import annotations

import inspect

from mstoolkit.content import MemoryStore
from mstoolkit.manifest_store import ManifestStore
from mstoolkit.manifest_store import audit as audit_module
from mstoolkit.manifest_store.testing import AsyncCountingClient, CountingRemote
from tests.manifest_store.conftest import REGISTRY, oci_manifest


def test_method_and_function_take_the_same_keyword_options() -> None:
    """Every keyword of audit() is on ManifestStore.audit with the same kind, default and
    annotation, so notebooks complete them and mypy checks callers of either."""
    function = inspect.signature(audit_module.audit).parameters
    method = inspect.signature(ManifestStore.audit).parameters
    assert list(function)[:2] == ["store", "registry"]
    assert list(method)[:2] == ["self", "registry"]
    ours = list(method.values())[1:]
    theirs = list(function.values())[1:]
    assert [p.name for p in ours] == [p.name for p in theirs]
    for mine, original in zip(ours, theirs, strict=True):
        assert mine.kind == original.kind, mine.name
        assert mine.default == original.default, mine.name
        assert mine.annotation == original.annotation, mine.name
    assert function["auth"].annotation == "AuthLike"


def test_method_passes_its_options_through() -> None:
    """ManifestStore.audit hands its options on: the repositories given replace _catalog."""
    remote = CountingRemote(REGISTRY)
    remote.push("only/this", oci_manifest("a"), tags=["v1"])
    remote.push("not/this", oci_manifest("b"), tags=["v1"])
    store = ManifestStore(MemoryStore(), remote)
    result = store.audit(
        REGISTRY,
        repositories=["only/this"],
        client=AsyncCountingClient(remote),
        progress=False,
        store_threads=0,
    )
    assert [row.repository for row in result.rows] == ["only/this"]
    assert result.ok
    assert remote.calls["catalog"] == 0
