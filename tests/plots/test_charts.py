"""The charts under Agg: built, saved to PNG, and checked for what they draw."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from mstoolkit.catalog.schema import VERDICT_COLUMNS
from mstoolkit.errors import InvalidArgument
from mstoolkit.plots import (
    SCHEMA1_COLOR,
    VERDICT_COLORS,
    engine_label,
    plot_history,
    plot_media_types,
    plot_schema1_prevalence,
    plot_verdicts,
)
from tests.plots.frames import classify_frame, history_frame, manifests_frame

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _axes() -> Axes:
    return Figure(figsize=(9, 5), layout="constrained").add_subplot()


def _save(ax: Axes, path: Path) -> None:
    figure = ax.get_figure()
    assert isinstance(figure, Figure)
    figure.savefig(path, dpi=80)
    assert path.read_bytes().startswith(PNG_MAGIC)


def _bars(ax: Axes, color: str | None = None) -> list[Rectangle]:
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    if color is None:
        return bars
    return [b for b in bars if b.get_facecolor() == to_rgba(color)]


def _ticks(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels()]


def _texts(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.texts]


def test_media_types_bars_are_the_counts(tmp_path: Path) -> None:
    """One bar per media type, width = count, short names as ticks, count and share labels."""
    ax = plot_media_types(classify_frame(), ax=_axes())
    _save(ax, tmp_path / "media.png")
    assert [b.get_width() for b in _bars(ax)] == [6, 5, 5, 2, 1, 1]
    ticks = _ticks(ax)
    assert ticks[0] == "Docker schema1 (signed)"
    assert set(ticks) >= {"Docker schema2", "OCI manifest", "OCI index", "Docker schema1"}
    assert "6 (30.0%)" in _texts(ax)
    assert ax.get_title() == "Manifests by media type (20 total)"
    assert ax.get_xlabel() == "manifests"


def test_media_types_on_a_new_figure_when_no_axes_given(tmp_path: Path) -> None:
    """Without ax the helper makes its own figure (and does not show it)."""
    ax = plot_media_types(manifests_frame())
    _save(ax, tmp_path / "media.png")
    assert sum(b.get_width() for b in _bars(ax)) == 5


def test_schema1_prevalence_stacks_schema1_on_the_rest(tmp_path: Path) -> None:
    """Red bars are each repository's schema1 count, grey bars the rest, shares labelled."""
    ax = plot_schema1_prevalence(classify_frame(), ax=_axes())
    _save(ax, tmp_path / "schema1.png")
    assert _ticks(ax) == ["library/old", "team/app", "library/new", "(unknown)"]
    assert [b.get_width() for b in _bars(ax, SCHEMA1_COLOR)] == [6, 1, 0, 0]
    grey = [b for b in _bars(ax) if b not in _bars(ax, SCHEMA1_COLOR)]
    assert [b.get_width() for b in grey] == [2, 3, 6, 2]
    assert "6/8 (75%)" in _texts(ax)
    assert ax.get_title() == "Docker schema1 by repository: 2 of 4 affected"


def test_schema1_prevalence_top_limits_the_bars(tmp_path: Path) -> None:
    """top=2 draws the two worst repositories and says so in the title."""
    ax = plot_schema1_prevalence(classify_frame(), top=2, ax=_axes())
    _save(ax, tmp_path / "top.png")
    assert _ticks(ax) == ["library/old", "team/app"]
    assert ax.get_title().endswith("(top 2)")


def test_schema1_prevalence_on_catalog_frames_uses_repositories(tmp_path: Path) -> None:
    """A Catalog.manifests() frame is grouped by each repository in its repositories."""
    ax = plot_schema1_prevalence(manifests_frame(), ax=_axes())
    _save(ax, tmp_path / "catalog.png")
    assert _ticks(ax)[:2] == ["127.0.0.1:5000/library/hello", "127.0.0.1:5000/library/tiny"]
    assert sum(b.get_width() for b in _bars(ax, SCHEMA1_COLOR)) == 2


def test_schema1_prevalence_shortens_long_names() -> None:
    """Repository names longer than the tick budget are cut in the middle."""
    frame = classify_frame()
    long_name = "registry.example.com/" + "very-long-team-name/" * 4 + "app"
    frame["repository"] = frame["repository"].cat.add_categories([long_name])
    frame.loc[:, "repository"] = long_name
    ax = plot_schema1_prevalence(frame, ax=_axes())
    (tick,) = _ticks(ax)
    assert "…" in tick
    assert tick.startswith("registry.example.com/")
    assert tick.endswith("/app")


def test_verdicts_segments_are_the_counts(tmp_path: Path) -> None:
    """Each engine's bar is split into verdict counts that add up to every manifest."""
    ax = plot_verdicts(classify_frame(), ax=_axes())
    _save(ax, tmp_path / "verdicts.png")
    assert _ticks(ax) == [engine_label(c) for c in VERDICT_COLUMNS]
    refused = [b.get_width() for b in _bars(ax, VERDICT_COLORS["refused"])]
    assert refused == [0, 0, 7, 7, 0, 0, 7]
    needs_env = [b.get_width() for b in _bars(ax, VERDICT_COLORS["needs-env"])]
    assert needs_env == [0, 7, 0, 0, 0, 7, 0]
    ok = [b.get_width() for b in _bars(ax, VERDICT_COLORS["ok"])]
    assert ok == [18, 11, 11, 11, 18, 11, 11]
    assert ax.get_title() == "Will it pull? Verdicts for 20 manifests per engine"
    assert "35%" in _texts(ax)
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["ok", "needs-env", "refused", "invalid"]


def test_history_draws_cumulative_lines(tmp_path: Path) -> None:
    """One step line per reason, ending at that reason's total, with a UTC time axis."""
    ax = plot_history(history_frame(), ax=_axes())
    _save(ax, tmp_path / "history.png")
    lines = {line.get_label(): list(line.get_ydata()) for line in ax.get_lines()}
    assert lines == {
        "manifest fetched (3)": [1, 2, 2, 3, 3],
        "manifest seen in repository (2)": [0, 0, 1, 1, 2],
    }
    assert ax.get_title() == "Label changes over time (5 total)"
    assert ax.get_xlabel() == "time (UTC)"


@pytest.mark.parametrize(
    "plot", [plot_media_types, plot_schema1_prevalence, plot_verdicts, plot_history]
)
def test_empty_frames_draw_a_message(plot: object, tmp_path: Path) -> None:
    """An empty frame gives a titled chart that says there is nothing, not an error."""
    frame = history_frame() if plot is plot_history else classify_frame()
    frame = frame.iloc[0:0]
    assert callable(plot)
    ax = plot(frame, ax=_axes())
    _save(ax, tmp_path / "empty.png")
    assert ax.get_title()
    assert any(text.startswith("no ") for text in _texts(ax))


def test_plots_reject_frames_that_are_not_catalog_frames() -> None:
    """A frame without the catalog's columns gets an InvalidArgument, not a KeyError."""
    with pytest.raises(InvalidArgument):
        plot_media_types(pd.DataFrame({"x": [1]}), ax=_axes())
