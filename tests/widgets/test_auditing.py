"""The dashboard's audit functions against the seeded registry, without widgets."""

from __future__ import annotations

import pytest

from mstoolkit.content import LocalStore
from mstoolkit.errors import InvalidArgument
from mstoolkit.manifest_store import ManifestStore
from mstoolkit.widgets.auditing import (
    AuditProgress,
    audit_frame,
    audit_repositories,
    audit_summary,
    failures_frame,
    list_repositories,
    plain_http,
)
from tests.support.registry_server import RegistryServer


@pytest.mark.parametrize(
    ("registry", "plain"),
    [
        ("127.0.0.1:5000", True),
        ("localhost:5000", True),
        ("[::1]:5000", True),
        ("http://127.0.0.1:5000/", True),
        ("registry.example.com", False),
        ("10.0.0.1:5000", False),
    ],
)
def test_plain_http_only_for_loopback(registry: str, plain: bool) -> None:
    """Plain HTTP is the default for loopback registries only, as in docker."""
    assert plain_http(registry) is plain


@pytest.mark.registry
def test_list_repositories_reads_the_catalog(registry_server: RegistryServer) -> None:
    """The registry's catalog is listed, sorted, including every seeded repository."""
    names = list_repositories(registry_server.host)
    assert names == sorted(names)
    assert {r.repo for r in registry_server.live_rows} <= set(names)


def test_list_repositories_needs_a_registry() -> None:
    """An empty registry field is an InvalidArgument with a hint."""
    with pytest.raises(InvalidArgument, match="type a registry"):
        list_repositories("  ")


@pytest.mark.registry
def test_audit_reports_progress_per_repository(
    manifest_store: ManifestStore, registry_server: RegistryServer, local_store: LocalStore
) -> None:
    """Each repository done is reported; the frame has one row per manifest and repository."""
    seen: list[AuditProgress] = []
    repos = ["library/hello", "multiarch/hello", "edge/deleted"]
    result = audit_repositories(
        manifest_store, registry_server.host, repos, on_progress=seen.append
    )
    assert [(p.done, p.total, p.repository) for p in seen] == [
        (1, 3, "library/hello"), (2, 3, "multiarch/hello"), (3, 3, "edge/deleted")
    ]
    assert len(seen[-1].rows) == len(result.rows)
    frame = audit_frame(result.rows, local=local_store)
    expected = {
        (r.repo, r.digest) for r in registry_server.live_rows if r.repo in repos
    }
    assert set(zip(frame["repository"].astype(str), frame["digest"], strict=True)) == expected
    hello = frame[frame["repository"] == "library/hello"].set_index("digest")
    schema1 = hello[hello["kind"] == "schema1"]
    assert len(schema1) == 1
    assert schema1["verdict_docker_28_2"].item() == "refused"
    (latest,) = [
        r for r in registry_server.inventory if r.repo == "library/hello" and r.tag == "latest"
    ]
    assert hello.loc[latest.digest, "tags"] == "latest,v2s2"
    summary = audit_summary(frame, result.rows)
    assert f"{len(frame)} manifests in 2 repositories; 1 Docker schema1" in summary


@pytest.mark.registry
def test_audit_failures_are_rows(
    manifest_store: ManifestStore, registry_server: RegistryServer
) -> None:
    """A repository that does not exist is a failure row, not an exception."""
    result = audit_repositories(manifest_store, registry_server.host, ["no/such-repo"])
    failures = failures_frame(result.rows)
    assert list(failures["repository"]) == ["no/such-repo"]
    assert failures["category"].item() == "not-found"
    assert audit_frame(result.rows).empty


def test_audit_needs_repositories(manifest_store: ManifestStore) -> None:
    """Auditing nothing is refused with a hint instead of auditing silently nothing."""
    with pytest.raises(InvalidArgument, match="at least one repository"):
        audit_repositories(manifest_store, "127.0.0.1:1", [])


@pytest.mark.registry
def test_audit_reports_each_row_as_it_comes(
    manifest_store: ManifestStore, registry_server: RegistryServer
) -> None:
    """on_row hears of every manifest of every repository, before the repository is done."""
    events: list[str] = []
    result = audit_repositories(
        manifest_store, registry_server.host, ["library/hello", "multiarch/hello"],
        on_progress=lambda p: events.append(f"done {p.repository}"),
        on_row=lambda row: events.append(row.repository),
    )
    assert events.count("done library/hello") == events.count("done multiarch/hello") == 1
    rows = [e for e in events if not e.startswith("done ")]
    assert rows == [r.repository for r in result.rows]
    assert events.index("done library/hello") == events.count("library/hello")
