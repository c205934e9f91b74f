"""FetchWidget driven like a user would, through its widgets' values and the button."""

from __future__ import annotations

import pytest

from mstoolkit.manifest_store import ManifestStore
from mstoolkit.widgets import FetchWidget
from tests.support.registry_server import RegistryServer

pytestmark = pytest.mark.registry


def test_widget_displays_as_its_box(manifest_store: ManifestStore) -> None:
    """The widget shows in a notebook through its box's widget-view mimebundle."""
    widget = FetchWidget(manifest_store)
    bundle = widget._repr_mimebundle_()
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == widget.box.model_id
    assert "127.0.0.1:" in widget.registry.value


def test_clicking_fetch_fills_the_tables(
    manifest_store: ManifestStore, registry_server: RegistryServer
) -> None:
    """Typing a reference and clicking Fetch shows summary, layers and the folded raw JSON."""
    widget = FetchWidget(manifest_store)
    widget.reference.value = "library/tiny:1.0"
    widget.button.click()
    (row,) = [r for r in registry_server.inventory if r.repo == "library/tiny" and r.tag == "1.0"]
    assert "mst-success" in widget.status.value
    assert row.digest in widget.summary.value
    assert "<table" in widget.layers.value
    assert "Layers" in widget.layers.value
    assert widget.children.value == ""
    assert '"schemaVersion": 2' in widget.raw.value
    assert widget.raw_panel.selected_index is None
    assert not widget.button.disabled


def test_an_index_adds_its_platforms_to_the_picker(manifest_store: ManifestStore) -> None:
    """After fetching an index, its platforms can be picked, and picking one narrows it."""
    widget = FetchWidget(manifest_store)
    widget.fetch("multiarch/hello:oci-index")
    values = [value for _, value in widget.platform.options]
    assert "linux/arm64/v8" in values
    assert "Children" in widget.children.value
    view = widget.fetch(platform="linux/arm64/v8")
    assert set(view.layers["platform"]) == {"linux/arm64/v8"}


def test_schema1_shows_the_deprecation_notice_as_a_warning(manifest_store: ManifestStore) -> None:
    """A schema1 manifest is shown with moby's notice in a warning box."""
    widget = FetchWidget(manifest_store)
    widget.fetch("library/hello:v2s1")
    assert "mst-warning" in widget.status.value
    assert "DEPRECATION NOTICE" in widget.status.value
    assert "refused" in widget.verdicts.value


def test_an_error_is_a_message_and_clears_the_previous_tables(
    manifest_store: ManifestStore,
) -> None:
    """A failed fetch shows one red message and no stale tables from the fetch before it."""
    widget = FetchWidget(manifest_store)
    widget.fetch("library/tiny:1.0")
    widget.fetch("library/tiny:missing")
    assert "mst-error" in widget.status.value
    assert "not-found" in widget.status.value
    assert widget.summary.value == widget.layers.value == widget.raw.value == ""
    assert widget.view is not None
    assert not widget.view.ok
