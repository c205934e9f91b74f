"""``FetchWidget``: type a reference, pick a platform, Fetch, read the manifest.

A plain class that owns its ipywidgets and delegates ``_repr_mimebundle_`` to its box, so
it displays as the last expression of a cell (and in Voilà) while staying an ordinary
object: the button's callback only calls :meth:`FetchWidget.fetch`, which calls
:func:`~mstoolkit.widgets.fetching.fetch_view` and :meth:`FetchWidget.show`; tests drive
both without a browser.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from mstoolkit.widgets.fetching import COMMON_PLATFORMS, FetchView, Puller, fetch_view
from mstoolkit.widgets.render import Tone, frame_html, message_html

__all__ = ["FetchWidget"]


def __dir__() -> list[str]:
    return sorted(__all__)


_ALL_PLATFORMS = "all platforms"


class FetchWidget:
    """Fetch one manifest through a :class:`~mstoolkit.manifest_store.ManifestStore` and show it.

    The summary, the verdicts per engine, an index's children and the layers are tables;
    the raw JSON sits folded in an accordion; failures are a red message, not a traceback.
    References without a registry are taken to be at the store's registry.
    """

    def __init__(self, manifest_store: Puller, *, reference: str = "") -> None:
        self._store = manifest_store
        registry = str(getattr(manifest_store.remote, "registry", "") or "")
        self.reference = w.Text(
            value=reference,
            placeholder="library/hello:latest or repo@sha256:…",
            description="Reference",
            layout=w.Layout(width="28em"),
        )
        self.platform = w.Dropdown(
            options=[(_ALL_PLATFORMS, ""), *((p, p) for p in COMMON_PLATFORMS)],
            value="",
            description="Platform",
            layout=w.Layout(width="18em"),
        )
        self.button = w.Button(description="Fetch", button_style="primary", icon="download")
        self.registry = w.HTML(
            f"<span style='color:#555'>registry: <code>{html.escape(registry or 'unknown')}"
            "</code></span>"
        )
        self.status = w.HTML()
        self.summary = w.HTML()
        self.verdicts = w.HTML()
        self.children = w.HTML()
        self.layers = w.HTML()
        self.raw = w.Textarea(
            disabled=True, layout=w.Layout(width="100%", height="24em")
        )
        self.raw_panel = w.Accordion(children=[self.raw], titles=("Raw JSON",), selected_index=None)
        self.view: FetchView | None = None
        self.button.on_click(self._on_click)
        self.box = w.VBox(
            [
                w.HBox([self.reference, self.platform, self.button]),
                self.registry,
                self.status,
                self.summary,
                self.verdicts,
                self.children,
                self.layers,
                self.raw_panel,
            ],
            layout=w.Layout(width="100%"),
        )
        self.box.add_class("mst-fetch-widget")

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.box._repr_mimebundle_(**kwargs)

    def _on_click(self, _: object) -> None:
        self.fetch()

    def fetch(self, reference: str | None = None, *, platform: str | None = None) -> FetchView:
        """Fetch *reference* (default: the text box) for *platform* and show the result."""
        if reference is not None:
            self.reference.value = reference
        if platform is not None:
            self._offer_platforms((platform,))
            self.platform.value = platform
        self.button.disabled = True
        self.status.value = message_html(f"Fetching {self.reference.value.strip()} …")
        try:
            view = fetch_view(self._store, self.reference.value, platform=self.platform.value)
        finally:
            self.button.disabled = False
        self.show(view)
        return view

    def show(self, view: FetchView) -> None:
        """Display *view*: tables on success, one error message (and nothing stale) otherwise."""
        self.view = view
        if not view.ok:
            self.status.value = message_html(view.error, Tone.ERROR)
            for pane in (self.summary, self.verdicts, self.children, self.layers):
                pane.value = ""
            self.raw.value = ""
            return
        tone = Tone.WARNING if view.notice else Tone.SUCCESS
        self.status.value = message_html(view.notice or f"Fetched {view.reference}", tone)
        self.summary.value = frame_html(view.summary, caption="Manifest")
        self.verdicts.value = frame_html(view.verdicts, caption="Will it pull?")
        self.children.value = (
            frame_html(view.children, caption="Children") if not view.children.empty else ""
        )
        self.layers.value = frame_html(view.layers, caption="Layers", empty="no layers")
        self.raw.value = view.raw_json
        self._offer_platforms(view.platforms)

    def _offer_platforms(self, platforms: tuple[str, ...]) -> None:
        known = [value for _, value in self.platform.options]
        extra = [p for p in platforms if p and p not in known]
        if extra:
            self.platform.options = [*self.platform.options, *((p, p) for p in extra)]

    def __repr__(self) -> str:
        return f"FetchWidget({self._store!r})"
