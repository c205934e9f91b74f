"""The four charts: media types, schema1 prevalence, pull verdicts and history.

Each ``plot_x(df, *, ax=None) -> Axes`` draws into *ax* (or a new pyplot figure sized to
the data when *ax* is None, so a notebook cell shows it) and returns the Axes; none calls
``show()``, so they compose into subplots, widgets and files alike. The numbers come from
:mod:`mstoolkit.plots.summaries`; this module only decides how they look: horizontal bars
(long labels stay readable), counts and percentages written on the bars, titles that say
what was counted and how many.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import MaxNLocator

from mstoolkit.catalog.schema import Verdict
from mstoolkit.plots.summaries import (
    history_counts,
    media_type_counts,
    schema1_prevalence,
    verdict_counts,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "SCHEMA1_COLOR",
    "VERDICT_COLORS",
    "plot_history",
    "plot_media_types",
    "plot_schema1_prevalence",
    "plot_verdicts",
]


def __dir__() -> list[str]:
    return sorted(__all__)


#: Verdict colours: green pulls, amber needs the deprecation switch, red refused, grey broken.
VERDICT_COLORS: Final = {
    Verdict.OK.value: "#2e7d32",
    Verdict.NEEDS_ENV.value: "#f9a825",
    Verdict.REFUSED.value: "#c62828",
    Verdict.INVALID.value: "#757575",
}
#: The colour of schema1 everywhere (the same red as "refused": that is where it ends).
SCHEMA1_COLOR: Final = "#c62828"
_OTHER_COLOR: Final = "#b0bec5"
_BAR_COLOR: Final = "#1565c0"
_MAX_TICK = 45
#: Segments narrower than this share of the widest bar carry no percentage (it would not fit).
_MIN_LABELLED = 0.08


def _axes(ax: Axes | None, bars: int) -> Axes:
    """*ax*, or a new pyplot figure tall enough for *bars* horizontal bars."""
    if ax is not None:
        return ax
    _, new = plt.subplots(figsize=(9, max(3.0, 0.42 * bars + 1.6)), layout="constrained")
    return new


def _tick(text: str) -> str:
    """Cut long names in the middle, where repository paths differ least."""
    if len(text) <= _MAX_TICK:
        return _literal(text)
    half = (_MAX_TICK - 1) // 2
    return _literal(f"{text[:half]}…{text[-half:]}")


def _literal(text: str) -> str:
    """*text* as matplotlib will show it, literally: a ``$`` starts mathtext, so a media type
    or reason from the data like ``$\\frac{$`` made the whole figure fail when drawn, and
    control characters have no glyph (escaped as ``\\x1b``)."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text).replace("$", r"\$")


_CONTROL: Final = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _empty(ax: Axes, title: str, message: str) -> Axes:
    ax.set_title(title)
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="0.4")
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def plot_media_types(df: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Manifests per detected media type, most frequent on top, with count and share.

    Takes a ``classify()`` or ``Catalog.manifests()`` frame; rows the detector could not
    classify form one bar of their own.
    """
    counts = media_type_counts(df)
    ax = _axes(ax, len(counts))
    total = int(counts["count"].sum())
    title = f"Manifests by media type ({total:,} total)"
    if counts.empty:
        return _empty(ax, title, "no manifests")
    positions = range(len(counts))
    bars = ax.barh(positions, counts["count"], color=_BAR_COLOR)
    ax.set_yticks(list(positions), [_tick(label) for label in counts["label"]])
    ax.invert_yaxis()
    ax.bar_label(
        bars,
        labels=[f"{c:,} ({s:.1%})" for c, s in zip(counts["count"], counts["share"], strict=True)],
        padding=3,
    )
    ax.set_xlim(0, float(counts["count"].max()) * 1.3)
    ax.set_title(title)
    ax.set_xlabel("manifests")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_schema1_prevalence(
    df: pd.DataFrame, *, by: str = "repository", top: int = 20, ax: Axes | None = None
) -> Axes:
    """Schema1 manifests per *by* group (the *top* worst), stacked on the rest, with shares.

    The red part of each bar is what stops pulling on Docker 28.2 and containerd 2.1; the
    label says ``schema1/all (share)``. *by* as for
    :func:`~mstoolkit.plots.summaries.schema1_prevalence` (``repository``, ``registry``,
    ``year``, any column).
    """
    table = schema1_prevalence(df, by=by, top=None)
    shown = table.head(top)
    ax = _axes(ax, len(shown))
    affected = int((table["schema1"] > 0).sum())
    title = f"Docker schema1 by {by}: {affected:,} of {len(table):,} affected"
    if len(table) > len(shown):
        title += f" (top {len(shown)})"
    if shown.empty:
        return _empty(ax, title, "no manifests")
    positions = list(range(len(shown)))
    schema1 = shown["schema1"].to_numpy()
    other = (shown["manifests"] - shown["schema1"]).to_numpy()
    ax.barh(positions, schema1, color=SCHEMA1_COLOR, label="schema1")
    rest = ax.barh(positions, other, left=schema1, color=_OTHER_COLOR, label="other")
    ax.bar_label(
        rest,
        labels=[
            f"{s:,}/{m:,} ({p:.0%})"
            for s, m, p in zip(shown["schema1"], shown["manifests"], shown["share"], strict=True)
        ],
        padding=3,
    )
    ax.set_yticks(positions, [_tick(str(name)) for name in shown[by]])
    ax.invert_yaxis()
    ax.set_xlim(0, float(shown["manifests"].max()) * 1.35)
    ax.set_title(title)
    ax.set_xlabel("manifests")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="lower right", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_verdicts(df: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Will it pull? One stacked bar per engine version: ok, needs-env, refused, invalid.

    Reading down the bars shows where schema1 goes from pulling (Docker 25, containerd 1.7)
    to needing the deprecation variable and then to refused.
    """
    counts = verdict_counts(df)
    ax = _axes(ax, len(counts))
    total = int(counts.iloc[0].sum()) if len(counts) else 0
    title = f"Will it pull? Verdicts for {total:,} manifests per engine"
    if total == 0:
        return _empty(ax, title, "no manifests")
    positions = list(range(len(counts)))
    left = pd.Series(0, index=counts.index, dtype="int64")
    for verdict in counts.columns:
        widths = counts[verdict]
        bars = ax.barh(
            positions, widths, left=left, color=VERDICT_COLORS[verdict], label=verdict
        )
        ax.bar_label(
            bars,
            labels=[f"{w / total:.0%}" if w / total >= _MIN_LABELLED else "" for w in widths],
            label_type="center",
            color="white",
            fontsize="small",
        )
        left = left + widths
    ax.set_yticks(positions, list(counts.index))
    ax.invert_yaxis()
    ax.set_xlim(0, total)
    ax.set_title(title)
    ax.set_xlabel("manifests")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=len(counts.columns), frameon=False
    )
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_history(
    history: pd.DataFrame, *, by: str | None = None, ax: Axes | None = None
) -> Axes:
    """Events over time as cumulative step lines, one per *by* group.

    *history* is ``Catalog.label_history()`` (lines per ``reason``: manifests fetched,
    manifests seen in another repository) or ``Catalog.fetches()`` (lines per ``outcome``).
    Times are shown in UTC with matplotlib's concise date labels, whatever the span.
    """
    lines = history_counts(history, by=by)
    group = str(lines.columns.name or by or "")
    ax = _axes(ax, 6)
    kind = "Fetches" if group == "outcome" else "Label changes"
    total = int(lines.iloc[-1].sum()) if len(lines) else 0
    title = f"{kind} over time ({total:,} total)"
    if lines.empty:
        return _empty(ax, title, "no history yet")
    index = pd.DatetimeIndex(lines.index)
    times = index.tz_convert("UTC").tz_localize(None).to_numpy()
    handles, labels = [], []
    for name in lines.columns:
        values = lines[name].to_numpy()
        labels.append(f"{_literal(str(name))} ({int(values[-1]):,})")
        handles += ax.step(times, values, where="post", marker="o", markersize=3,
                           label=labels[-1])
    locator = mdates.AutoDateLocator()  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(
        mdates.ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]
    )
    ax.set_title(title)
    ax.set_xlabel("time (UTC)")
    ax.set_ylabel(f"cumulative {kind.lower()}")
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    # handles given explicitly: legend() alone drops labels starting with "_", and a reason
    # or outcome from the data may well start with one
    ax.legend(handles, labels, title=_literal(group), loc="upper left", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return ax
