"""Plots are tested under Agg, and every figure a test opens is closed after it."""

from __future__ import annotations

from collections.abc import Iterator

import matplotlib
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt


@pytest.fixture(autouse=True)
def _close_figures(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail any plot helper that calls show(), and close what the test opened."""

    def no_show(*args: object, **kwargs: object) -> None:
        raise AssertionError("plot helpers must never call show()")

    monkeypatch.setattr(plt, "show", no_show)
    yield
    plt.close("all")
