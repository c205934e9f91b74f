"""The Dask engine on a real two-process LocalCluster equals the in-process engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from distributed import Client, LocalCluster

from mstoolkit.catalog.classify import classify, read_classified
from mstoolkit.catalog.dask_engine import prevalence_dask
from mstoolkit.catalog.prevalence import prevalence
from mstoolkit.cli.main import main
from tests.catalog.inputs import FIXTURES, record_lines, utf8_blobs, write_jsonl

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                      dashboard_address=None) as local:
        yield local


@pytest.fixture(scope="module")
def client(cluster: LocalCluster) -> Iterator[Client]:
    with Client(cluster, set_as_default=False) as connected:
        yield connected


@pytest.fixture(scope="module")
def local_frame() -> pd.DataFrame:
    return classify(FIXTURES / "blobs", workers=1)


def test_dask_engine_equals_local_engine(client: Client, local_frame: pd.DataFrame) -> None:
    """Classifying the fixtures on the cluster gives exactly the in-process frame."""
    frame = classify(FIXTURES / "blobs", engine="dask", scheduler=client, chunk_size=40)
    pd.testing.assert_frame_equal(frame, local_frame)


def test_dask_by_scheduler_address(cluster: LocalCluster, local_frame: pd.DataFrame) -> None:
    """A scheduler address works like a Client."""
    frame = classify(FIXTURES / "blobs", engine="dask", scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(frame, local_frame)


def test_dask_jsonl_ranges_keep_line_numbers(client: Client, tmp_path: Path) -> None:
    """JSON Lines cut into many byte ranges get the same line numbers on the cluster."""
    path = write_jsonl(tmp_path / "d.jsonl", record_lines(utf8_blobs()))
    local = classify(path, workers=1, chunk_size=5)
    remote = classify(path, engine="dask", scheduler=client, chunk_size=5)
    pd.testing.assert_frame_equal(remote, local)


def test_dask_lazy_frame_has_one_partition_per_unit(client: Client,
                                                    local_frame: pd.DataFrame) -> None:
    """compute=False returns a Dask DataFrame; computing it gives the same rows."""
    lazy = classify(FIXTURES / "blobs", engine="dask", compute=False, chunk_size=100)
    assert lazy.npartitions == 3
    computed = client.compute(lazy, sync=True)
    assert sorted(computed["digest"]) == sorted(local_frame["digest"])


def test_dask_parquet_output_and_prevalence(client: Client, tmp_path: Path,
                                            local_frame: pd.DataFrame) -> None:
    """The cluster writes a Parquet dataset equal to the local frame, and prevalence over
    it (computed partition by partition) equals prevalence in memory."""
    out = tmp_path / "dump"
    summary = classify(FIXTURES / "blobs", engine="dask", scheduler=client, chunk_size=60,
                       output=out)
    assert summary["count"].sum() == len(local_frame)
    pd.testing.assert_frame_equal(read_classified(out), local_frame)
    for by in ("source", ["media_type", "error"], None):
        pd.testing.assert_frame_equal(prevalence_dask(str(out), by, scheduler=client),
                                      prevalence(local_frame, by))


def test_cli_engine_dask_with_a_scheduler_address(cluster: LocalCluster, tmp_path: Path,
                                                  local_frame: pd.DataFrame) -> None:
    """`mstoolkit classify --engine dask --scheduler ADDR` writes the local engine's rows."""
    out = tmp_path / "rows.csv"
    code = main(["classify", str(FIXTURES / "blobs"), "--engine", "dask", "--scheduler",
                 cluster.scheduler_address, "--format", "csv", "-o", str(out), "-q"])
    assert code == 0
    assert pd.read_csv(out)["digest"].tolist() == local_frame["digest"].tolist()
