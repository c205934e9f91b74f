"""AuditDashboard driven through its buttons against the seeded registry."""

from __future__ import annotations

import pytest

from mstoolkit.manifest_store import ManifestStore
from mstoolkit.widgets import AuditDashboard
from tests.support.registry_server import RegistryServer

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
pytestmark = pytest.mark.registry


def test_dashboard_defaults_to_the_store_registry(
    manifest_store: ManifestStore, registry_server: RegistryServer
) -> None:
    """The registry field starts at the store's registry and the box is what displays."""
    dashboard = AuditDashboard(manifest_store)
    assert dashboard.registry.value == registry_server.host
    bundle = dashboard._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == dashboard.box.model_id


def test_list_then_audit_fills_progress_and_charts(
    manifest_store: ManifestStore, registry_server: RegistryServer
) -> None:
    """Listing fills the choices; auditing two of them ends with a full bar and two charts."""
    dashboard = AuditDashboard(manifest_store)
    dashboard.list_button.click()
    assert "library/hello" in dashboard.repositories.options
    dashboard.repositories.value = ("library/hello", "library/tiny")
    dashboard.audit_button.click()
    assert dashboard.progress.value == dashboard.progress.max == 2
    assert dashboard.progress.bar_style == "success"
    assert dashboard.progress_label.value.startswith("2/2 repositories")
    assert bytes(dashboard.prevalence_chart.value).startswith(PNG_MAGIC)
    assert bytes(dashboard.verdict_chart.value).startswith(PNG_MAGIC)
    assert "2 Docker schema1" in dashboard.status.value
    assert "no failures" in dashboard.failures.value
    assert dashboard.frame is not None
    assert set(dashboard.frame["repository"].astype(str)) == {"library/hello", "library/tiny"}
    assert not dashboard.audit_button.disabled


def test_an_unreachable_registry_is_a_message(manifest_store: ManifestStore) -> None:
    """Listing a registry nobody listens on shows an error message, not a traceback."""
    dashboard = AuditDashboard(manifest_store, registry="127.0.0.1:9")
    assert dashboard.load_repositories() == []
    assert "mst-error" in dashboard.status.value
    assert "unavailable" in dashboard.status.value


def test_failed_repositories_turn_the_bar_amber(manifest_store: ManifestStore) -> None:
    """An audit with failures finishes with a warning bar and lists them."""
    dashboard = AuditDashboard(manifest_store, repositories=("no/such-repo",))
    assert dashboard.run() is not None
    assert dashboard.progress.bar_style == "warning"
    assert "no/such-repo" in dashboard.failures.value
    assert "1 failed" in dashboard.status.value
