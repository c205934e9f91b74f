"""One-call pulls: resolve a reference, get its manifest and, for an index, its children.

A tag is resolved with HEAD first (as ``docker pull`` does), so a manifest already in the
cache costs one HEAD and no GET: pull quota is spent once. Every manifest obtained or failed
becomes a :class:`FetchRow` and, when the content store keeps one, a fetch-log record.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from mstoolkit.content import FetchRecord
from mstoolkit.descriptor import Descriptor, Platform
from mstoolkit.errors import InvalidArgument, category_of
from mstoolkit.manifest_store._answers import Prefetched
from mstoolkit.manifest_store.protocols import FetchLog, TagResolver
from mstoolkit.manifest_store.results import FetchOutcome, FetchRow, PullResult
from mstoolkit.manifest_store.store import Served, Source
from mstoolkit.reference import Reference, parse_reference

if TYPE_CHECKING:
    from mstoolkit.manifest.models import Manifest
    from mstoolkit.manifest_store.protocols import FetchedLike
    from mstoolkit.manifest_store.store import ManifestStore

__all__ = [
    "children_of",
    "error_row",
    "fetch_record",
    "pull",
    "record_rows",
    "row_for",
]

#: Tag used when a reference names neither tag nor digest (docker's default).
DEFAULT_TAG = "latest"


def pull(
    store: ManifestStore,
    reference: str,
    *,
    platform: str | Platform | None = None,
    recursive: bool = True,
) -> PullResult:
    """Pull *reference* into *store*'s cache and return the manifests with one row each.

    *platform* (``"linux/arm64"`` or a :class:`Platform`) keeps only the matching children
    of an index; ``recursive=False`` skips the children altogether. A failure of the
    top-level manifest is raised (after it is logged); failed children are rows.
    """
    ref = parse_reference(reference)
    wanted = _platform(platform)
    remote = store.remote
    rows: list[FetchRow] = []
    prefetched = Prefetched(fallback=remote)
    try:
        if ref.digest is not None:
            desc = Descriptor("", ref.digest, 0)
            target = ref
        else:
            tag = ref.tag or DEFAULT_TAG
            target = ref if ref.tag else ref.with_tag(tag)
            desc = _resolve(remote, prefetched, ref.path, tag)
        served = store.serve(desc, target, remote=prefetched)
    except Exception as exc:
        rows.append(error_row(ref.domain, ref.path, ref.tag or str(ref.digest or DEFAULT_TAG), exc))
        record_rows(store, rows)
        raise
    rows.append(row_for(ref, _reference_of(target), desc, served))

    children: list[Manifest] = []
    if recursive:
        seen = {str(desc.digest)}
        stack = [(served.manifest, desc)]
        while stack:
            parent, parent_desc = stack.pop()
            for child in children_of(parent, wanted):
                if str(child.digest) in seen:
                    continue
                seen.add(str(child.digest))
                child_ref = parse_reference(f"{ref.name}@{child.digest}")
                try:
                    got = store.serve(child, child_ref, remote=remote)
                except Exception as exc:
                    rows.append(error_row(ref.domain, ref.path, str(child.digest), exc, child,
                                          parent_desc))
                    continue
                rows.append(row_for(child_ref, str(child.digest), child, got, parent_desc))
                children.append(got.manifest)
                stack.append((got.manifest, child))
    record_rows(store, rows)
    return PullResult(
        reference=str(target),
        descriptor=desc,
        manifest=served.manifest,
        children=tuple(children),
        rows=tuple(rows),
    )


def children_of(manifest: Manifest, platform: Platform | None = None) -> Iterator[Descriptor]:
    """The child manifests of an index or list (optionally one platform), else nothing."""
    for child in getattr(manifest, "manifests", ()):
        if not isinstance(child, Descriptor):
            continue
        if platform is not None and not (child.platform and child.platform.matches(platform)):
            continue
        yield child


def row_for(
    ref: Reference,
    reference: str,
    desc: Descriptor,
    served: Served,
    parent: Descriptor | None = None,
    outcome: FetchOutcome | None = None,
) -> FetchRow:
    """The row of one obtained manifest (*outcome* defaults to where it came from)."""
    manifest = served.manifest
    if outcome is None:
        outcome = FetchOutcome.FETCHED if served.source is Source.REMOTE else FetchOutcome.CACHED
    return FetchRow(
        at=datetime.now(UTC),
        registry=ref.domain,
        repository=ref.path,
        reference=reference,
        digest=str(desc.digest),
        media_type=desc.media_type or manifest.media_type,
        size=desc.size if desc.size > 0 else len(manifest.raw),
        outcome=outcome,
        parent=str(parent.digest) if parent is not None else "",
        platform=str(desc.platform) if parent is not None and desc.platform else "",
        ratelimit_remaining=_remaining(served.remote_answer),
        persisted=served.persisted,
    )


def error_row(
    registry: str,
    repository: str,
    reference: str,
    exc: BaseException,
    desc: Descriptor | None = None,
    parent: Descriptor | None = None,
) -> FetchRow:
    """The row of a manifest that could not be obtained (a pull's or an audit's)."""
    return FetchRow(
        at=datetime.now(UTC),
        registry=registry,
        repository=repository,
        reference=reference,
        digest=str(desc.digest) if desc is not None else "",
        media_type=desc.media_type if desc is not None else "",
        size=desc.size if desc is not None else 0,
        outcome=FetchOutcome.ERROR,
        error_category=category_of(exc),
        error=str(exc) or type(exc).__name__,
        parent=str(parent.digest) if parent is not None else "",
        platform=str(desc.platform) if parent is not None and desc and desc.platform else "",
    )


def record_rows(store: ManifestStore, rows: list[FetchRow] | tuple[FetchRow, ...]) -> None:
    """Append *rows* to the content store's fetch log, when it keeps one."""
    local = store.local
    if not rows or not isinstance(local, FetchLog):
        return
    for row in rows:
        local.record_fetch(fetch_record(row))


def fetch_record(row: FetchRow) -> FetchRecord:
    """The content store's fetch-log record of *row*."""
    return FetchRecord(
        at=row.at,
        registry=row.registry,
        repository=row.repository,
        reference=row.reference,
        digest=row.digest,
        media_type=row.media_type,
        size=row.size,
        outcome=row.outcome.value,
        error_category=row.error_category,
        ratelimit_remaining=row.ratelimit_remaining,
    )


def _resolve(remote: object, prefetched: Prefetched, repo: str, tag: str) -> Descriptor:
    """HEAD the tag; a remote without HEAD is asked with GET, and the answer is kept."""
    if isinstance(remote, TagResolver):
        return remote.head_manifest(repo, tag)
    if prefetched.fallback is None:
        raise InvalidArgument("remote can resolve neither with HEAD nor with GET")
    answer = prefetched.fallback.get_manifest(repo, tag)
    prefetched.add(answer)
    return answer.descriptor


def _reference_of(ref: Reference) -> str:
    return ref.tag if ref.digest is None and ref.tag else str(ref.digest)


def _remaining(answer: FetchedLike | None) -> int | None:
    limit = getattr(answer, "rate_limit", None)
    remaining = getattr(limit, "remaining", None)
    return remaining if isinstance(remaining, int) else None


def _platform(platform: str | Platform | None) -> Platform | None:
    if platform is None or isinstance(platform, Platform):
        return platform
    return Platform.parse(platform)


def __dir__() -> list[str]:
    return sorted(__all__)
