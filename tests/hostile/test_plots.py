"""Charts of hostile data: names from audited manifests and stores are drawn literally, and
never fail the figure (a ``$`` would start matplotlib's mathtext)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from mstoolkit.catalog import classify
from mstoolkit.plots import plot_history, plot_media_types, plot_schema1_prevalence
from tests.plots.frames import history_frame
from tests.support.fixtures_data import FIXTURES

HOSTILE = ["$\\frac{$", "$\\undefinedcommand$", "a$b", "$x^2$", "\x1b[31m$", "_hidden"]


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return classify(FIXTURES / "blobs" / "moby", workers=1, progress=False)


def _draw(figure: object) -> None:
    figure.savefig(io.BytesIO(), format="png")  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_media_types_are_drawn_literally(frame: pd.DataFrame, name: str) -> None:
    """A media type like ``$\\frac{$`` (from a hostile manifest) is a literal tick label; it
    made savefig raise ValueError from the mathtext parser, failing the report and the
    dashboard."""
    hostile = frame.assign(media_type=pd.Categorical([name] * len(frame)),
                           repository=name, source=name)
    ax = plot_media_types(hostile)
    _draw(ax.figure)
    assert [t.get_text() for t in ax.get_yticklabels()] == [_shown(name)]
    _draw(plot_schema1_prevalence(hostile, by="source").figure)


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_history_reasons_are_drawn_literally(name: str) -> None:
    """A label-change reason (free text given to update()) is a literal legend entry."""
    history = history_frame().assign(reason=name)
    ax = plot_history(history)
    _draw(ax.figure)
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == [f"{_shown(name)} (5)"]


def _shown(name: str) -> str:
    """The label text for *name*: "$" escaped for mathtext, control characters as escapes."""
    return name.replace("\x1b", "\\x1b").replace("$", "\\$")
