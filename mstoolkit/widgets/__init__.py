"""Notebook widgets (ipywidgets): fetch one manifest, audit a registry and watch the charts.

Each widget is a plain class owning its ipywidgets and delegating ``_repr_mimebundle_``;
the logic lives in plain functions (:mod:`mstoolkit.widgets.fetching`,
:mod:`mstoolkit.widgets.auditing`) that tests call without a browser. The modules hold the
logic; this file only re-exports.
"""

from mstoolkit.widgets.auditing import audit_frame, audit_repositories, list_repositories
from mstoolkit.widgets.dashboard import AuditDashboard
from mstoolkit.widgets.fetch import FetchWidget
from mstoolkit.widgets.fetching import FetchView, fetch_view

__all__ = [
    "AuditDashboard",
    "FetchView",
    "FetchWidget",
    "audit_frame",
    "audit_repositories",
    "fetch_view",
    "list_repositories",
]


def __dir__() -> list[str]:
    return sorted(__all__)
