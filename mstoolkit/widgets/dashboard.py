"""``AuditDashboard``: pick a registry and repositories, audit, watch the charts fill in.

A plain class owning its ipywidgets, delegating ``_repr_mimebundle_`` to its box. Buttons
call :meth:`AuditDashboard.load_repositories` and :meth:`AuditDashboard.run`, which call
the plain functions of :mod:`mstoolkit.widgets.auditing` and redraw; tests call them. Charts
are PNG images rendered without pyplot, redrawn between repositories (at most once a second)
and at the end, so a long audit shows its schema1 share growing while it runs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import ipywidgets as w
import pandas as pd

from mstoolkit.errors import MstoolkitError
from mstoolkit.manifest_store import AuditResult, FetchRow, ManifestStore
from mstoolkit.plots.charts import plot_schema1_prevalence, plot_verdicts
from mstoolkit.registry.auth import AuthLike
from mstoolkit.widgets.auditing import (
    AuditProgress,
    BlobReader,
    audit_frame,
    audit_repositories,
    audit_summary,
    failures_frame,
    list_repositories,
)
from mstoolkit.widgets.render import Tone, figure_png, frame_html, message_html

__all__ = ["AuditDashboard"]


def __dir__() -> list[str]:
    return sorted(__all__)


_log = logging.getLogger(__name__)
#: Seconds between chart redraws while an audit runs (a redraw costs about 0.2 s).
_REDRAW_EVERY: Final = 1.0
#: Seconds between redraws of the progress label while manifests come in.
_LABEL_EVERY: Final = 0.2


@dataclass(slots=True)
class _RowCount:
    """What the progress label shows during one run (rows arrive one by one)."""

    total: int
    done: int = 0
    rows: int = 0
    shown_at: float = 0.0


class AuditDashboard:
    """Audit repositories of a registry into a manifest store's cache, with live charts.

    *manifest_store* keeps what the audit fetches (its content store is the cache; its
    remote is not used: the audit talks to the chosen registry itself). *registry* defaults
    to the store's own; *insecure* ``None`` means plain HTTP for loopback registries only.
    """

    def __init__(
        self,
        manifest_store: ManifestStore,
        *,
        registry: str | None = None,
        repositories: Sequence[str] = (),
        concurrency: int = 8,
        insecure: bool | None = None,
        auth: AuthLike = None,
    ) -> None:
        self._store = manifest_store
        self._insecure = insecure
        self._auth = auth
        default = registry if registry is not None else getattr(manifest_store.remote,
                                                                "registry", "")
        self.registry = w.Text(value=str(default or ""), description="Registry",
                               placeholder="host[:port]", layout=w.Layout(width="24em"))
        self.list_button = w.Button(description="List repositories", icon="list")
        self.repositories = w.SelectMultiple(
            options=list(repositories), value=tuple(repositories), rows=8,
            description="Repositories", layout=w.Layout(width="36em"),
        )
        self.concurrency = w.BoundedIntText(value=concurrency, min=1, max=64,
                                            description="Concurrency",
                                            layout=w.Layout(width="12em"))
        self.audit_button = w.Button(description="Audit", button_style="primary", icon="search")
        self.progress = w.IntProgress(value=0, min=0, max=1, description="Progress",
                                      bar_style="info", layout=w.Layout(width="36em"))
        self.progress_label = w.Label()
        self.status = w.HTML()
        self.prevalence_chart = w.Image(format="png", layout=w.Layout(max_width="48em"))
        self.verdict_chart = w.Image(format="png", layout=w.Layout(max_width="48em"))
        self.failures = w.HTML()
        self.result: AuditResult | None = None
        self.frame: pd.DataFrame | None = None
        self._drawn_at = 0.0
        self._counted = _RowCount(total=0)
        self.list_button.on_click(lambda _: self.load_repositories())
        self.audit_button.on_click(lambda _: self.run())
        self.box = w.VBox([
            w.HBox([self.registry, self.list_button]),
            self.repositories,
            w.HBox([self.concurrency, self.audit_button]),
            w.HBox([self.progress, self.progress_label]),
            self.status,
            w.HBox([self.prevalence_chart, self.verdict_chart],
                   layout=w.Layout(flex_flow="row wrap")),
            self.failures,
        ])
        self.box.add_class("mst-audit-dashboard")

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.box._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"AuditDashboard({self._store!r}, registry={self.registry.value!r})"

    def load_repositories(self) -> list[str]:
        """Fill the repository list from the registry's catalog; all are selected."""
        try:
            names = list_repositories(self.registry.value, insecure=self._insecure,
                                      auth=self._auth)
        except MstoolkitError as exc:
            self.status.value = message_html(f"{exc.category}: {exc}", Tone.ERROR)
            return []
        self.repositories.options = names
        self.repositories.value = tuple(names)
        self.status.value = message_html(
            f"{len(names)} repositories at {self.registry.value.strip()}; choose and Audit."
        )
        return names

    def run(self) -> AuditResult | None:
        """Audit the chosen repositories (all listed ones if none is chosen), then redraw."""
        chosen = list(self.repositories.value) or list(self.repositories.options)
        self.audit_button.disabled = self.list_button.disabled = True
        self.progress.max, self.progress.value = max(1, len(chosen)), 0
        self.progress.bar_style = "info"
        self.progress_label.value = f"0/{len(chosen)} repositories"
        self.status.value = message_html(f"Auditing {len(chosen)} repositories …")
        self._drawn_at = 0.0
        self._counted = _RowCount(total=len(chosen))
        try:
            result = audit_repositories(
                self._store, self.registry.value, chosen,
                concurrency=int(self.concurrency.value), insecure=self._insecure,
                auth=self._auth, on_progress=self._on_progress, on_row=self._on_row,
            )
        except MstoolkitError as exc:
            self.progress.bar_style = "danger"
            self.status.value = message_html(f"{exc.category}: {exc}", Tone.ERROR)
            return None
        except Exception as exc:  # the UI boundary: a message, and the traceback in the log
            _log.exception("audit failed")
            self.progress.bar_style = "danger"
            self.status.value = message_html(f"unexpected {type(exc).__name__}: {exc}",
                                             Tone.ERROR)
            return None
        finally:
            self.audit_button.disabled = self.list_button.disabled = False
        self.result = result
        self._draw(result.rows)
        self.progress.bar_style = "success" if result.ok else "warning"
        tone = Tone.SUCCESS if result.ok else Tone.WARNING
        assert self.frame is not None
        self.status.value = message_html(
            f"{audit_summary(self.frame, result.rows)} ({result.elapsed:.1f} s)", tone
        )
        return result

    def _on_row(self, row: FetchRow) -> None:
        """Count manifests as they come; the label is redrawn at most every 0.2 s."""
        counted = self._counted
        counted.rows += 1
        now = time.monotonic()
        if now - counted.shown_at >= _LABEL_EVERY:
            counted.shown_at = now
            self.progress_label.value = (
                f"{counted.done}/{counted.total} repositories, {counted.rows:,} manifests"
            )

    def _on_progress(self, progress: AuditProgress) -> None:
        self._counted.done = progress.done
        self.progress.value = progress.done
        self.progress_label.value = (
            f"{progress.done}/{progress.total} repositories, {len(progress.rows):,} manifests"
        )
        if time.monotonic() - self._drawn_at >= _REDRAW_EVERY and progress.done < progress.total:
            self._draw(progress.rows)

    def _draw(self, rows: Sequence[FetchRow]) -> None:
        frame = audit_frame(rows, local=_reader(self._store))
        self.frame = frame
        shown = frame.assign(repository=frame["repository"].astype(str))
        self.prevalence_chart.value = figure_png(
            lambda ax: plot_schema1_prevalence(shown, ax=ax, top=15), width=7.5,
            height=max(3.0, 0.4 * min(15, shown["repository"].nunique()) + 1.6),
        )
        self.verdict_chart.value = figure_png(lambda ax: plot_verdicts(frame, ax=ax), width=7.5,
                                              height=4.2)
        self.failures.value = frame_html(failures_frame(rows), caption="Failures",
                                         empty="no failures")
        self._drawn_at = time.monotonic()


def _reader(store: ManifestStore) -> BlobReader | None:
    local = store.local
    return local if callable(getattr(local, "read", None)) else None
