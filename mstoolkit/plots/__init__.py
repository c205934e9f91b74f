"""Charts of catalog frames (matplotlib): media types, schema1 prevalence, verdicts, history.

Every ``plot_x(df, *, ax=None)`` returns its Axes and never calls ``show()``; the numbers
each chart draws are public too (:mod:`mstoolkit.plots.summaries`). The modules hold the
logic; this file only re-exports.
"""

from mstoolkit.plots.charts import (
    SCHEMA1_COLOR,
    VERDICT_COLORS,
    plot_history,
    plot_media_types,
    plot_schema1_prevalence,
    plot_verdicts,
)
from mstoolkit.plots.summaries import (
    ENGINE_LABELS,
    UNDETECTED,
    UNKNOWN,
    engine_label,
    history_counts,
    media_type_counts,
    schema1_prevalence,
    short_media_type,
    verdict_counts,
)

__all__ = [
    "ENGINE_LABELS",
    "SCHEMA1_COLOR",
    "UNDETECTED",
    "UNKNOWN",
    "VERDICT_COLORS",
    "engine_label",
    "history_counts",
    "media_type_counts",
    "plot_history",
    "plot_media_types",
    "plot_schema1_prevalence",
    "plot_verdicts",
    "schema1_prevalence",
    "short_media_type",
    "verdict_counts",
]


def __dir__() -> list[str]:
    return sorted(__all__)
