"""The descriptor graph of an OCI image layout or ``docker save`` archive: what to skip, what
each blob was declared as.

An image layout holds manifests *and* the configs and layers they point at. Classifying a
30 MB gzip layer as "not JSON" would bury the real answers, so blobs that the layout's own
descriptors name as configs or layers are skipped; everything else under ``blobs/`` is
classified, including blobs nothing points at (a dump written as a layout, like the bench
corpus, is all unreferenced manifests). Descriptors also give a *declared* media type for the
blobs they point at, which becomes the ``declared_media_type`` column.

The graph is walked from ``index.json`` (and, for ``docker save``, ``manifest.json``) through
index and manifest blobs only; configs and layers are never read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import orjson

__all__ = [
    "LayoutGraph",
    "MAX_NODES",
    "METADATA_NAMES",
    "Refs",
    "blob_path",
    "refs_of",
    "walk_layout",
    "walk_refs",
]


def __dir__() -> list[str]:
    return sorted(__all__)


_log = logging.getLogger(__name__)

#: Files of an image layout or ``docker save`` archive that are metadata, not blobs.
METADATA_NAMES: Final = frozenset({"oci-layout", "index.json", "manifest.json", "repositories"})

#: Stop walking a graph this large: an archive that big is a dump, not an image.
MAX_NODES: Final = 65_536


@dataclass(frozen=True, slots=True)
class Refs:
    """What one manifest or index blob points at: children to walk, blobs to skip."""

    children: tuple[tuple[str, str], ...] = ()
    leaves: tuple[str, ...] = ()


@dataclass(slots=True)
class LayoutGraph:
    """Paths (relative to the layout root) to skip, and declared media types by path."""

    skip: set[str] = field(default_factory=set)
    hints: dict[str, str] = field(default_factory=dict)


def blob_path(digest: object) -> str | None:
    """``blobs/<alg>/<hex>`` for a digest string, ``None`` if it is not one."""
    if not isinstance(digest, str):
        return None
    alg, sep, hexpart = digest.partition(":")
    if not sep or not alg or not hexpart or "/" in digest or ".." in digest:
        return None
    return f"blobs/{alg}/{hexpart}"


def _descriptors(value: Any) -> Iterable[Mapping[str, Any]]:
    if isinstance(value, list):
        return [d for d in value if isinstance(d, dict)]
    if isinstance(value, dict):
        return [value]
    return []


def refs_of(data: bytes) -> Refs | None:
    """The references of a manifest or index blob; ``None`` if it is not a JSON object."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(doc, dict):
        return None
    children: list[tuple[str, str]] = []
    for desc in _descriptors(doc.get("manifests")):
        path = blob_path(desc.get("digest"))
        if path is not None:
            media_type = desc.get("mediaType")
            children.append((path, media_type if isinstance(media_type, str) else ""))
    leaves: list[str] = []
    for desc in (*_descriptors(doc.get("config")), *_descriptors(doc.get("layers"))):
        path = blob_path(desc.get("digest"))
        if path is not None:
            leaves.append(path)
    for desc in _descriptors(doc.get("fsLayers")):
        path = blob_path(desc.get("blobSum"))
        if path is not None:
            leaves.append(path)
    return Refs(tuple(children), tuple(leaves))


def _docker_save_skips(data: bytes) -> set[str]:
    """Paths a ``docker save`` manifest.json names as configs and layers."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError:
        return set()
    skip: set[str] = set()
    for entry in doc if isinstance(doc, list) else []:
        if not isinstance(entry, dict):
            continue
        config = entry.get("Config")
        if isinstance(config, str):
            skip.add(config)
        layers = entry.get("Layers")
        for layer in layers if isinstance(layers, list) else []:
            if isinstance(layer, str):
                skip.add(layer)
    return skip


def _walk(index: bytes | None, saved: bytes | None,
          refs_for: Callable[[str], Refs | None]) -> LayoutGraph:
    graph = LayoutGraph()
    if saved is not None:
        graph.skip |= _docker_save_skips(saved)
    root = refs_of(index) if index is not None else None
    pending = list(root.children) if root is not None else []
    seen: set[str] = set()
    while pending and len(seen) < MAX_NODES:
        path, media_type = pending.pop()
        if media_type and path not in graph.hints:
            graph.hints[path] = media_type
        if path in seen:
            continue
        seen.add(path)
        refs = refs_for(path)
        if refs is not None:
            pending.extend(refs.children)
            graph.skip.update(refs.leaves)
    if pending:
        _log.warning("layout graph larger than %d blobs; the rest is classified unwalked",
                     MAX_NODES)
    graph.skip -= set(graph.hints)
    return graph


def walk_layout(read: Callable[[str], bytes | None]) -> LayoutGraph:
    """Walk a layout whose files *read* returns by relative path (``None`` if absent).

    Only ``index.json``, ``manifest.json`` and the index/manifest blobs they reach are read.
    """

    def refs_for(path: str) -> Refs | None:
        data = read(path)
        return refs_of(data) if data is not None else None

    return _walk(read("index.json"), read("manifest.json"), refs_for)


def walk_refs(index: bytes | None, saved: bytes | None, refs: Mapping[str, Refs]) -> LayoutGraph:
    """The same walk over references collected while streaming an archive."""
    return _walk(index, saved, refs.get)
