"""Recording where a manifest was seen: the distribution-source label append of the seed's
``getLocal``, done atomically where the content store allows it.

The label is a read-modify-write of a comma-joined list. With only ``info`` and ``update``,
two writers can read the same value, each add their repository, and the later write drops
the earlier's; a repository lost that way costs a registry round-trip on every later
digest-pinned get. A store that is a
:class:`~mstoolkit.manifest_store.protocols.LabelUpdater` (both stores of
:mod:`mstoolkit.content` are) runs the append inside its own transaction, which holds across
processes sharing one store. Any other store still works, through ``info`` + ``update``
under a lock of the calling :class:`ManifestStore`: atomic within one process only.

A label already at containerd's 4096-byte limit keeps its value (containerd#12107, see
:func:`mstoolkit.labels.append_distribution_source_bounded`).
"""

from __future__ import annotations

import threading
from dataclasses import replace

from mstoolkit.digest import DigestLike
from mstoolkit.labels import append_distribution_source_bounded, has_distribution_source
from mstoolkit.manifest_store.protocols import ContentStore, LabelUpdater

__all__ = ["REASON", "add_source"]

#: The label history's reason for an appended repository.
REASON = "manifest seen in repository"


def add_source(
    local: ContentStore, digest: DigestLike, key: str, repo: str, *, lock: threading.Lock
) -> None:
    """Add *repo* to the label *key* of *digest*; the store's errors propagate."""
    if isinstance(local, LabelUpdater):

        def append(current: str | None) -> str | None:
            if current is not None and has_distribution_source(current, repo):
                return current
            value, _recorded = append_distribution_source_bounded(current or "", repo, key)
            return value or current

        local.update_label(digest, key, append, reason=REASON)
        return
    with lock:
        info = local.info(digest)
        current = info.labels.get(key, "")
        if has_distribution_source(current, repo):
            return
        value, recorded = append_distribution_source_bounded(current, repo, key)
        if recorded:
            local.update(replace(info, labels={key: value}), f"labels.{key}", reason=REASON)


def __dir__() -> list[str]:
    return sorted(__all__)
