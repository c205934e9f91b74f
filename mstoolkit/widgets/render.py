"""From values to what a widget shows: HTML tables, messages, sizes and chart images.

Plain functions returning strings and bytes, so the widgets stay thin and tests read what a
user would see without a browser. Charts are rendered to PNG through a bare
:class:`~matplotlib.figure.Figure` (no pyplot): a widget redraws on every audit, and pyplot
would keep each figure alive and pick a backend behind the notebook's back.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Final

import pandas as pd
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "Tone",
    "figure_png",
    "frame_html",
    "human_size",
    "message_html",
]


def __dir__() -> list[str]:
    return sorted(__all__)


_UNITS: Final = ("B", "kB", "MB", "GB", "TB")
#: One style block per table: padded, left-aligned cells and a light rule between rows, so
#: a table reads the same in JupyterLab, classic Notebook and Voilà (their defaults differ).
_TABLE_STYLE: Final = (
    "<style>"
    "table.mst-table{border-collapse:collapse;font-size:0.9em;"
    "font-family:var(--jp-code-font-family,monospace)}"
    "table.mst-table th,table.mst-table td{padding:0.2em 0.8em;text-align:left;"
    "border-bottom:1px solid #e0e0e0;white-space:nowrap}"
    "table.mst-table th{font-weight:600;border-bottom:1px solid #999}"
    "</style>"
)


class Tone(StrEnum):
    """How a message looks: it says whether the user must act."""

    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"


_TONE_COLORS: Final = {
    Tone.INFO: ("#0d47a1", "#e3f2fd"),
    Tone.SUCCESS: ("#1b5e20", "#e8f5e9"),
    Tone.WARNING: ("#7a4f01", "#fff8e1"),
    Tone.ERROR: ("#b71c1c", "#ffebee"),
}


def human_size(size: int | None) -> str:
    """Bytes in decimal units (``1.2 kB``), as registries and ``docker images`` print them."""
    if size is None or size < 0:
        return "unknown"
    value = float(size)
    for unit in _UNITS:
        if value < 1000 or unit == _UNITS[-1]:
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")  # pragma: no cover


def frame_html(frame: pd.DataFrame, *, caption: str = "", empty: str = "none") -> str:
    """*frame* as an escaped HTML table with an optional caption; *empty* when it has no rows."""
    head = f"<h4 style='margin:0.6em 0 0.2em'>{html.escape(caption)}</h4>" if caption else ""
    if frame.empty:
        return f"{head}<p style='color:#666;margin:0'>{html.escape(empty)}</p>"
    table = frame.to_html(index=False, border=0, escape=True, na_rep="—", classes="mst-table")
    return f"{head}{_TABLE_STYLE}<div style='overflow-x:auto'>{table}</div>"


def message_html(text: str, tone: Tone = Tone.INFO) -> str:
    """*text* (escaped, line breaks kept) in a coloured box; empty text gives empty HTML."""
    if not text:
        return ""
    color, background = _TONE_COLORS[tone]
    body = html.escape(text).replace("\n", "<br>")
    return (
        f"<div class='mst-message mst-{tone.value}' style='color:{color};background:{background};"
        f"padding:0.4em 0.7em;border-radius:4px;margin:0.3em 0'>{body}</div>"
    )


def figure_png(
    draw: Callable[[Axes], object], *, width: float = 8.0, height: float = 4.5, dpi: int = 90
) -> bytes:
    """Call ``draw(ax)`` on a fresh figure and return the PNG bytes (no pyplot involved)."""
    figure = Figure(figsize=(width, height), layout="constrained")
    draw(figure.add_subplot())
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
