"""The audit dashboard's work, as plain functions: list, audit with progress, tabulate.

:func:`audit_repositories` audits one repository at a time (each with many requests in
flight) so that the caller hears of progress between repositories and can redraw its charts
while the audit runs; :func:`audit_frame` turns the audit's rows into the frame the charts
read: one row per manifest and repository, with its kind and the verdict of every engine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import pandas as pd

from mstoolkit.catalog.kinds import KIND_BY_MEDIA_TYPE, kind_of
from mstoolkit.catalog.schema import Kind
from mstoolkit.catalog.verdicts import with_verdicts
from mstoolkit.errors import InvalidArgument
from mstoolkit.manifest_store import AuditResult, FetchRow, ManifestStore
from mstoolkit.manifest_store.audit import audit
from mstoolkit.registry import RegistryClient
from mstoolkit.registry.auth import AuthLike, is_loopback

__all__ = [
    "AuditProgress",
    "BlobReader",
    "audit_frame",
    "audit_repositories",
    "audit_summary",
    "failures_frame",
    "list_repositories",
    "plain_http",
]


def __dir__() -> list[str]:
    return sorted(__all__)


class BlobReader(Protocol):
    """A content store's read (``LocalStore`` and ``MemoryStore`` have it)."""

    def read(self, digest: str, /) -> bytes: ...


@dataclass(frozen=True, slots=True)
class AuditProgress:
    """Where a running audit is: repositories done out of all, and the rows so far."""

    done: int
    total: int
    repository: str
    rows: tuple[FetchRow, ...]


def plain_http(registry: str) -> bool:
    """Whether to talk plain HTTP to *registry*: loopback only, as docker does by default.

    The rule is the registry layer's (:func:`~mstoolkit.registry.auth.is_loopback`, which the
    audit and the CLI use too), so the dashboard and the CLI never disagree; only the text a
    user may paste into a widget (surrounding blanks, a scheme, a trailing slash) is tidied
    first.
    """
    host = registry.strip().removeprefix("http://").removeprefix("https://").rstrip("/")
    return is_loopback(host)


def list_repositories(
    registry: str, *, insecure: bool | None = None, auth: AuthLike = None, limit: int = 10_000
) -> list[str]:
    """The repositories *registry*'s ``_catalog`` lists (at most *limit*), sorted."""
    if not registry.strip():
        raise InvalidArgument("type a registry, e.g. 127.0.0.1:5000")
    plain = plain_http(registry) if insecure is None else insecure
    names: list[str] = []
    with RegistryClient(registry.strip(), insecure=plain, auth=auth) as client:
        for name in client.catalog():
            names.append(name)
            if len(names) >= limit:
                break
    return sorted(names)


def audit_repositories(
    store: ManifestStore,
    registry: str,
    repositories: Sequence[str],
    *,
    concurrency: int = 8,
    insecure: bool | None = None,
    auth: AuthLike = None,
    on_progress: Callable[[AuditProgress], None] | None = None,
    on_row: Callable[[FetchRow], None] | None = None,
) -> AuditResult:
    """Audit *repositories* of *registry* into *store*, one repository after another.

    *on_progress* is called after each repository, *on_row* with each manifest's row as it
    is made (on the audit's event loop, possibly another thread), so that a progress display
    moves within a large repository too. Failures are rows, as in
    :func:`mstoolkit.manifest_store.audit.audit`; an empty list of repositories is an
    :class:`InvalidArgument` (choose at least one).
    """
    if not repositories:
        raise InvalidArgument("choose at least one repository to audit")
    started = datetime.now(UTC)
    rows: list[FetchRow] = []
    host = registry.strip()
    for done, repo in enumerate(repositories, start=1):
        result = audit(
            store,
            host,
            repositories=[repo],
            concurrency=concurrency,
            progress=False,
            insecure=plain_http(host) if insecure is None else insecure,
            auth=auth,
            on_row=on_row,
        )
        rows.extend(result.rows)
        host = result.registry
        if on_progress is not None:
            on_progress(AuditProgress(done, len(repositories), repo, tuple(rows)))
    return AuditResult(
        registry=host,
        repositories=tuple(repositories),
        rows=tuple(rows),
        started_at=started,
        finished_at=datetime.now(UTC),
    )


def _kind(row: FetchRow, local: BlobReader | None) -> str:
    kind = KIND_BY_MEDIA_TYPE.get(row.media_type, Kind.OTHER)
    if kind is Kind.OCI_MANIFEST and local is not None and row.persisted:
        try:  # artifacts ride on OCI manifests: only the document tells them apart
            kind = kind_of(row.media_type, local.read(row.digest))
        except Exception:
            return kind.value
    return kind.value


def audit_frame(rows: Sequence[FetchRow], *, local: BlobReader | None = None) -> pd.DataFrame:
    """One row per manifest obtained, per repository: what the dashboard's charts draw.

    Columns: ``registry``, ``repository``, ``digest``, ``media_type``, ``kind``, ``tags``
    (comma-joined; empty for index children), ``platform`` and the verdict columns. A
    manifest under several tags of one repository is one row; failed rows are left out (see
    :func:`failures_frame`). With *local*, OCI manifests are read to tell artifacts apart.
    """
    records: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        if not row.ok:
            continue
        key = (row.repository, row.digest)
        record = records.get(key)
        if record is None:
            record = records[key] = {
                "registry": row.registry,
                "repository": row.repository,
                "digest": row.digest,
                "media_type": row.media_type,
                "kind": _kind(row, local),
                "tags": [],
                "platform": row.platform,
            }
        if row.reference and row.reference != row.digest:
            record["tags"].append(row.reference)
    frame = pd.DataFrame(
        list(records.values()),
        columns=["registry", "repository", "digest", "media_type", "kind", "tags", "platform"],
    )
    frame["tags"] = frame["tags"].map(lambda tags: ",".join(sorted(tags)))
    for column in ("registry", "repository", "media_type", "kind"):
        frame[column] = frame[column].astype("category")
    return with_verdicts(frame)


def failures_frame(rows: Sequence[FetchRow]) -> pd.DataFrame:
    """The failed rows: repository, reference, error category and message."""
    failed = [
        {
            "repository": row.repository,
            "reference": row.reference,
            "category": row.error_category,
            "error": row.error,
        }
        for row in rows
        if not row.ok
    ]
    return pd.DataFrame(failed, columns=["repository", "reference", "category", "error"])


def audit_summary(frame: pd.DataFrame, rows: Sequence[FetchRow]) -> str:
    """One sentence: manifests, schema1 count and share, refusals on Docker 28.2, failures."""
    total = len(frame)
    schema1 = int((frame["kind"].astype("object") == Kind.SCHEMA1.value).sum()) if total else 0
    refused = (
        int((frame["verdict_docker_28_2"].astype("object") != "ok").sum()) if total else 0
    )
    failed = sum(1 for row in rows if not row.ok)
    share = f" ({schema1 / total:.0%})" if total else ""
    return (
        f"{total:,} manifests in {frame['repository'].nunique() if total else 0} repositories; "
        f"{schema1:,} Docker schema1{share}; {refused:,} will not pull on Docker 28.2; "
        f"{failed:,} failed."
    )
