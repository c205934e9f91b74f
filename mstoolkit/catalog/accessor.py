"""``df.mst``: questions about a classify() or Catalog frame, asked in one word.

Registered on import of :mod:`mstoolkit.catalog`. Stateless: every call reads the frame as it
is now; the only check is that the columns the question needs exist, with a message that
names them.

    df.mst.schema1()                      # the schema1 rows
    df.mst.prevalence(by="repository")    # schema1 count and share per repository
    df.mst.verdicts()                     # rows per verdict, one column per engine
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from mstoolkit.catalog.prevalence import prevalence
from mstoolkit.catalog.schema import VERDICT_COLUMNS, Kind, Verdict
from mstoolkit.errors import InvalidArgument

__all__ = ["MstAccessor"]


def __dir__() -> list[str]:
    return sorted(__all__)


@pd.api.extensions.register_dataframe_accessor("mst")
class MstAccessor:
    """The ``.mst`` namespace on DataFrames (see the module docstring)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame

    def _need(self, *columns: str) -> None:
        missing = [c for c in columns if c not in self._frame.columns]
        if missing:
            raise InvalidArgument(
                f"df.mst needs column(s) {missing}; is this a classify() or Catalog frame?"
            )

    def of_kind(self, kind: Kind | str) -> pd.DataFrame:
        """The rows of *kind*."""
        self._need("kind")
        try:
            wanted = Kind(kind).value
        except ValueError as exc:
            raise InvalidArgument(f"unknown kind {kind!r}") from exc
        return self._frame[self._frame["kind"] == wanted]

    def schema1(self) -> pd.DataFrame:
        """The Docker schema1 rows (signed or not)."""
        return self.of_kind(Kind.SCHEMA1)

    def invalid(self) -> pd.DataFrame:
        """The rows that could not be classified, with their ``error``."""
        return self.of_kind(Kind.INVALID)

    def prevalence(self, by: str | Sequence[str] | None = "source",
                   kind: Kind | str = Kind.SCHEMA1) -> pd.DataFrame:
        """Per group of *by*: ``total`` rows, ``count`` of *kind*, ``share``; largest first.

        ``by="repository"`` also works on Catalog frames, counting a manifest once in each
        repository its labels name.
        """
        return prevalence(self._frame, by, kind)

    def verdicts(self) -> pd.DataFrame:
        """Row counts per verdict (rows: ok, needs-env, refused, invalid) and engine."""
        self._need(*VERDICT_COLUMNS)
        order = [v.value for v in Verdict]
        counts = {
            column.removeprefix("verdict_"): self._frame[column].astype(str)
            .value_counts().reindex(order, fill_value=0)
            for column in VERDICT_COLUMNS
        }
        table = pd.DataFrame(counts).astype("int64")
        table.index.name = "verdict"
        return table

    def breaks_on(self, engine: str) -> pd.DataFrame:
        """The rows an upgrade to *engine* (``"docker_28_2"``, ``"containerd_2_1"``...)
        breaks: they pull on the oldest version of that engine here and not on *engine*."""
        engines = [column.removeprefix("verdict_") for column in VERDICT_COLUMNS]
        if engine not in engines:  # not "needs column verdict_x", which blames the frame
            raise InvalidArgument(f"unknown engine {engine!r}; one of {', '.join(engines)}")
        baseline = "verdict_docker_25" if engine.startswith("docker") else (
            "verdict_containerd_1_7")
        column = f"verdict_{engine}"
        self._need(baseline, column)
        pulls_now = self._frame[baseline] == Verdict.OK.value
        return self._frame[pulls_now & (self._frame[column] != Verdict.OK.value)]
