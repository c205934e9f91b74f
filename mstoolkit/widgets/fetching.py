"""What the fetch widget shows for one reference, computed without any widget.

:func:`fetch_view` pulls a reference through a :class:`~mstoolkit.manifest_store.ManifestStore`
and turns the :class:`~mstoolkit.manifest_store.PullResult` into a :class:`FetchView`: a
summary, the verdict of every engine, the children of an index, the layers of each image
manifest, and the raw JSON. Expected failures (a bad reference, an unknown tag, a registry
that is down) become a view with an ``error`` message, because in a notebook a traceback
hides the one line that matters; the widget is a thin shell around this function, and tests
call it directly.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

import pandas as pd

from mstoolkit.catalog.kinds import kind_of
from mstoolkit.catalog.schema import Kind
from mstoolkit.catalog.verdicts import Engine, verdict_for
from mstoolkit.descriptor import Descriptor
from mstoolkit.errors import InvalidArgument, MstoolkitError
from mstoolkit.manifest import deprecation_notice
from mstoolkit.manifest_store import FetchRow, PullResult
from mstoolkit.plots.summaries import engine_label, short_media_type
from mstoolkit.reference import parse_reference
from mstoolkit.widgets.render import human_size

__all__ = [
    "COMMON_PLATFORMS",
    "FetchView",
    "Puller",
    "children_frame",
    "fetch_view",
    "layers_frame",
    "pretty_json",
    "qualify_reference",
    "summary_frame",
    "verdicts_frame",
]


def __dir__() -> list[str]:
    return sorted(__all__)


_log = logging.getLogger(__name__)

#: Platforms offered before anything is fetched (an index adds its own).
COMMON_PLATFORMS: Final = (
    "linux/amd64",
    "linux/arm64",
    "linux/arm/v7",
    "linux/386",
    "linux/ppc64le",
    "linux/s390x",
    "windows/amd64",
)


class Puller(Protocol):
    """What the fetch widget needs of a manifest store (:class:`ManifestStore` has it)."""

    @property
    def remote(self) -> object: ...

    def pull(
        self, reference: str, *, platform: str | None = None, recursive: bool = True
    ) -> PullResult: ...


@dataclass(frozen=True, slots=True)
class FetchView:
    """Everything the fetch widget displays for one reference; ``error`` set when it failed."""

    reference: str
    summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    verdicts: pd.DataFrame = field(default_factory=pd.DataFrame)
    children: pd.DataFrame = field(default_factory=pd.DataFrame)
    layers: pd.DataFrame = field(default_factory=pd.DataFrame)
    raw_json: str = ""
    #: A warning worth reading before the tables (schema1's deprecation notice).
    notice: str = ""
    #: The platforms an index offers, for the platform picker.
    platforms: tuple[str, ...] = ()
    error: str = ""

    @property
    def ok(self) -> bool:
        """Whether the fetch worked."""
        return not self.error


def _is_domain(component: str) -> bool:
    """distribution/reference's rule for "the first path component names a registry"."""
    return "." in component or ":" in component or component == "localhost"


def qualify_reference(text: str, registry: str) -> str:
    """*text* as a full reference at *registry* (``host[:port]``), the store's registry.

    ``library/hello:v2s2`` becomes ``<registry>/library/hello:v2s2``. A reference naming
    another registry is refused: the store's client only talks to its own, and fetching the
    path there would label the manifest with the wrong source.
    """
    text = text.strip()
    if not text:
        raise InvalidArgument("type a reference, e.g. library/hello:latest")
    first, slash, _ = text.partition("/")
    if not registry:
        return text
    if slash and _is_domain(first):
        if first.lower() != registry.lower():
            raise InvalidArgument(
                f"this store fetches from {registry}; {text!r} names {first}"
            )
        return text
    return f"{registry}/{text}"


def pretty_json(raw: bytes) -> str:
    """The manifest indented for reading; the bytes as text if they are not JSON."""
    try:
        return json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):
        return raw.decode("utf-8", errors="replace")


def _row_for(rows: Sequence[FetchRow], digest: str) -> FetchRow | None:
    for row in rows:
        if row.digest == digest:
            return row
    return None


def _kind(manifest: Any) -> Kind:
    try:
        return kind_of(str(manifest.media_type), bytes(manifest.raw))
    except Exception:  # a view that cannot be classified is "other", not a crash
        return Kind.OTHER


def summary_frame(result: PullResult) -> pd.DataFrame:
    """Two columns, ``field`` and ``value``: what was fetched, from where, and what it is."""
    manifest: Any = result.manifest
    top = result.rows[0] if result.rows else None
    layers = tuple(getattr(manifest, "layers", ()))
    sizes = [d.size for d in layers if d.size >= 0]
    children = tuple(getattr(manifest, "manifests", ()))
    fields: list[tuple[str, str]] = [
        ("reference", result.reference),
        ("digest", str(result.descriptor.digest)),
        ("media type", f"{short_media_type(manifest.media_type)} ({manifest.media_type})"),
        ("kind", _kind(manifest).value),
        ("size", human_size(len(manifest.raw))),
        ("obtained", top.outcome.value if top is not None else ""),
    ]
    if children:
        platforms = [str(d.platform) for d in children if d.platform is not None]
        fields.append(("children", f"{len(children)} ({', '.join(platforms) or 'no platforms'})"))
    else:
        total = human_size(sum(sizes)) if len(sizes) == len(layers) else "unknown (schema1)"
        fields.append(("layers", f"{len(layers)}, {total}"))
    if top is not None and top.ratelimit_remaining is not None:
        fields.append(("rate limit remaining", str(top.ratelimit_remaining)))
    return pd.DataFrame(fields, columns=["field", "value"])


def verdicts_frame(kinds: Sequence[tuple[str, Kind]]) -> pd.DataFrame:
    """One row per manifest (``manifest`` label), one column per engine: will it pull?"""
    rows = [
        {"manifest": label, **{engine_label(e.column): verdict_for(kind, e).value for e in Engine}}
        for label, kind in kinds
    ]
    return pd.DataFrame(rows)


def children_frame(result: PullResult) -> pd.DataFrame:
    """The entries of an index or list, with what happened to each (empty otherwise)."""
    entries: tuple[Descriptor, ...] = tuple(getattr(result.manifest, "manifests", ()))
    rows = []
    for entry in entries:
        row = _row_for(result.rows[1:], str(entry.digest))
        rows.append({
            "platform": str(entry.platform) if entry.platform is not None else "",
            "media type": short_media_type(entry.media_type),
            "digest": str(entry.digest),
            "size": entry.size,
            "obtained": row.outcome.value if row is not None else "not requested",
            "error": row.error if row is not None else "",
        })
    return pd.DataFrame(rows, columns=["platform", "media type", "digest", "size", "obtained",
                                       "error"])


def _image_manifests(result: PullResult) -> list[tuple[str, Any]]:
    """(platform label, manifest) of every image manifest in the pull, top first."""
    out: list[tuple[str, Any]] = []
    if not getattr(result.manifest, "manifests", ()):
        out.append(("", result.manifest))
    for child in result.children:
        row = _row_for(result.rows, str(child.digest))
        if not getattr(child, "manifests", ()):
            out.append((row.platform if row is not None else "", child))
    return out


def layers_frame(result: PullResult) -> pd.DataFrame:
    """One row per layer of each image manifest (each platform's, for an index)."""
    rows = []
    for platform, manifest in _image_manifests(result):
        for position, layer in enumerate(getattr(manifest, "layers", ())):
            rows.append({
                "platform": platform,
                "#": position,
                "digest": str(layer.digest),
                "media type": short_media_type(layer.media_type),
                "size": layer.size if layer.size >= 0 else None,
            })
    frame = pd.DataFrame(rows, columns=["platform", "#", "digest", "media type", "size"])
    frame["size"] = frame["size"].astype("Int64")
    if not frame.empty and (frame["platform"] == "").all():
        frame = frame.drop(columns=["platform"])
    return frame


def _platforms_of(result: PullResult) -> tuple[str, ...]:
    entries = getattr(result.manifest, "manifests", ())
    return tuple(dict.fromkeys(str(d.platform) for d in entries if d.platform is not None))


def fetch_view(store: Puller, reference: str, *, platform: str = "") -> FetchView:
    """Pull *reference* (qualified with the store's registry) and describe it for display.

    *platform* (``os/arch[/variant]``, empty for all) narrows an index's children. Never
    raises for mstoolkit errors: the view's ``error`` says ``category: message``.
    """
    registry = str(getattr(store.remote, "registry", "") or "")
    try:
        qualified = qualify_reference(reference, registry)
        parse_reference(qualified)
        result = store.pull(qualified, platform=platform or None)
    except MstoolkitError as exc:
        return FetchView(reference=reference.strip(), error=f"{exc.category}: {exc}")
    except Exception as exc:  # the UI boundary: say what broke, log the traceback
        _log.exception("fetching %r failed", reference)
        message = f"unexpected {type(exc).__name__}: {exc}"
        return FetchView(reference=reference.strip(), error=message)
    kinds = [(p or "(this manifest)", _kind(m)) for p, m in _image_manifests(result)]
    if getattr(result.manifest, "manifests", ()):
        kinds.insert(0, ("(index)", _kind(result.manifest)))
    notice = ""
    if any(kind is Kind.SCHEMA1 for _, kind in kinds):
        notice = deprecation_notice(result.reference)
    failed = [row for row in result.rows if not row.ok]
    if failed:
        lines = [f"{row.reference}: {row.error_category}: {row.error}" for row in failed]
        notice = "\n".join([notice, "Some children could not be fetched:", *lines]).strip()
    return FetchView(
        reference=result.reference,
        summary=summary_frame(result),
        verdicts=verdicts_frame(kinds),
        children=children_frame(result),
        layers=layers_frame(result),
        raw_json=pretty_json(result.manifest.raw),
        notice=notice,
        platforms=_platforms_of(result),
    )
