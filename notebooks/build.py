"""Write the three notebooks from the cells below, without outputs: ``python notebooks/build.py``.

The notebooks are generated so that they stay reviewable as code (a diff of this file is a
diff of the story), carry no outputs or execution counts into git, and keep stable cell ids.
``tests/notebooks`` checks that the committed notebooks are exactly what this script writes,
and runs each of them top to bottom.
"""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent

Cell = tuple[str, str]


def md(text: str) -> Cell:
    return ("markdown", textwrap.dedent(text).strip())


def code(text: str) -> Cell:
    return ("code", textwrap.dedent(text).strip())


SETUP = code("""
    import os

    import pandas as pd

    from mstoolkit.cli.settings import store_path

    # The registry to audit and the cache to keep its manifests in. Both come from the
    # environment so the same notebook runs against a test registry, a mirror or production;
    # the cache is the one the `mstoolkit` command uses ($MSTOOLKIT_STORE, else
    # ~/.cache/mstoolkit/store), so `mstoolkit audit` and these notebooks share it.
    REGISTRY = os.environ.get("MSTOOLKIT_REGISTRY", "127.0.0.1:5000")
    STORE = store_path(None)
    pd.set_option("display.max_colwidth", 80)
    print(f"registry: {REGISTRY}\\ncache:    {STORE}")
""")

OPEN_STORE = code("""
    from mstoolkit.catalog import Catalog
    from mstoolkit.content import LocalStore
    from mstoolkit.manifest_store import ManifestStore
    from mstoolkit.registry import RegistryClient

    local = LocalStore(STORE)
    # Plain HTTP is only for a registry on this machine; anything else is spoken over HTTPS.
    insecure = REGISTRY.rsplit(":", 1)[0] in ("127.0.0.1", "localhost")
    client = RegistryClient(REGISTRY, insecure=insecure)
    store = ManifestStore(local, client)
    catalog = Catalog(local)
    client.ping()
""")

AUDIT = [
    md("""
        # Audit a registry: which images will stop pulling?

        Docker 28.2 and containerd 2.1 no longer pull **Docker schema1** images at all;
        Docker 26–28.1 and containerd 2.0 refuse them unless a deprecation variable is set.
        An image that has pulled for ten years starts failing with a `[DEPRECATION NOTICE]`
        the day a host is upgraded. This notebook walks a whole registry, keeps every
        manifest in a local cache, and answers three questions:

        * **Platform teams**: which repositories and tags will stop pulling, on which
          engine versions, so that they can be rebuilt *before* the upgrade;
        * **Security inventory**: what is in the registry (formats, platforms, artifacts
          such as signatures and SBOMs) and which manifests failed to verify;
        * **Researchers**: how common each format is, measured rather than guessed.

        The registry comes from `MSTOOLKIT_REGISTRY` and the cache from `MSTOOLKIT_STORE`.
    """),
    SETUP,
    md("""
        ## A cache of manifests, not a pile of JSON

        Manifests are kept in a content store, under their digest, byte for byte as the
        registry served them (every digest is verified on the way in). Each blob is
        labelled with the repositories it was seen in, exactly as moby labels its own
        cache, so the catalog knows *where* a manifest lives and *when* we first saw it.
        A second audit finds everything already cached and spends one `HEAD` per tag.
    """),
    OPEN_STORE,
    md("""
        ## Walk the registry

        The audit lists the catalog, then every tag of every repository, resolves each tag
        with `HEAD` and fetches only what the cache lacks, many requests at once. Children
        of multi-platform indexes are followed. A manifest that cannot be fetched (deleted,
        corrupt, forbidden) is a row with an error category, never an exception that
        stops the walk.
    """),
    code("""
        result = store.audit(REGISTRY, concurrency=8)
        result
    """),
    code("""
        from dataclasses import asdict

        rows = pd.DataFrame([asdict(row) for row in result.rows])
        failures = rows[rows["outcome"] == "error"]
        failures[["repository", "reference", "error_category", "error"]]
    """),
    md("""
        ## From the cache to a DataFrame

        `Catalog.manifests()` gives one row per cached manifest: its media type (as the
        registry declared it and as moby's detector sees it), a coarse `kind`, sizes, the
        repositories it was seen in, and one **pull verdict per engine version**.
    """),
    code("""
        manifests = catalog.manifests()
        manifests[["digest", "kind", "repositories", "verdict_docker_28_2",
                   "verdict_containerd_2_1"]].head(10)
    """),
    code("""
        from mstoolkit.plots import plot_media_types, plot_schema1_prevalence, plot_verdicts

        plot_media_types(manifests);
    """),
    md("""
        ## Platform teams: what breaks on which engine

        Read the bars top to bottom: schema1 pulls on Docker 25 and containerd 1.7, needs
        the deprecation variable on Docker 26–28.1 and containerd 2.0, and is refused from
        Docker 28.2 and containerd 2.1 on. Amber is a warning; red is an outage.
    """),
    code("""
        plot_verdicts(manifests);
    """),
    code("""
        manifests.mst.verdicts()
    """),
    code("""
        plot_schema1_prevalence(manifests, by="repository");
    """),
    md("""
        The list to hand to the image owners: every tag that pulls today and will not on
        Docker 28.2. `df.mst.breaks_on(engine)` picks the manifests; the tags come from the
        audit rows, joined on the digest.
    """),
    code("""
        breaking = manifests.mst.breaks_on("docker_28_2")
        to_rebuild = rows.merge(breaking[["digest", "kind", "verdict_docker_26"]], on="digest")
        columns = ["repository", "reference", "digest", "kind", "verdict_docker_26"]
        to_rebuild[columns].sort_values(["repository", "reference"], ignore_index=True)
    """),
    md("""
        ## Security inventory: platforms and artifacts

        Multi-platform images list one manifest per platform; which platforms a registry
        actually serves is an inventory question of its own.
    """),
    code("""
        platforms = catalog.platforms()
        platforms["platform"].value_counts()[lambda counts: counts > 0]
    """),
    md("""
        ## Run it again: the cache pays off

        A second audit resolves every tag with `HEAD`, finds the digests in the cache and
        fetches nothing, which matters on registries that count pulls against a rate limit.
    """),
    code("""
        again = store.audit(REGISTRY, concurrency=8, progress=False)
        print(f"fetched {again.fetched}, served from the cache {again.cached}, failed {again.failed}")
    """),
    md("""
        ## Do it interactively

        The dashboard runs the same audit for the repositories you pick, with a progress
        bar, and redraws the schema1 and verdict charts as it goes.
    """),
    code("""
        from mstoolkit.widgets import AuditDashboard

        AuditDashboard(store)
    """),
]

CLASSIFY = [
    md("""
        # Classify a dump: manifests at scale, without a registry

        Sometimes the manifests are already on disk: a crawl someone ran last year, a
        mirror's storage, `docker save` tarballs, an OCI layout from CI. `classify()` reads
        them all (folders, OCI layouts, tarballs, JSON Lines, Parquet), runs moby's own
        media-type detection on every blob, and returns one row per blob. A bad blob never
        stops the run; its `error` column says why.

        This notebook uses the two samples in `data/`: a synthetic crawl of 25,000
        manifests across seven registries and twelve years, and the real blobs the test
        suite pins moby's behaviour on. **Researchers** get prevalence over time,
        **platform teams** the verdicts, the **security inventory** the broken and
        unexpected blobs.
    """),
    code("""
        from pathlib import Path

        import pandas as pd

        from mstoolkit.catalog import classify
        from mstoolkit.plots import (
            plot_media_types,
            plot_schema1_prevalence,
            plot_verdicts,
            schema1_prevalence,
        )

        DATA = next(p for p in (Path("data"), Path("../data")) if p.is_dir())
        pd.set_option("display.max_colwidth", 60)
    """),
    code("""
        dump = classify(DATA / "manifests.jsonl.zst", progress=False)
        dump.shape
    """),
    md("""
        Every frame the catalog returns has its columns and dtypes defined in one module
        (`mstoolkit.catalog.schema`). Repeated strings are categoricals, so 25,000 rows
        take a few megabytes and a million fit comfortably in a notebook.
    """),
    code("""
        print(f"{dump.memory_usage(deep=True).sum() / 1e6:.1f} MB")
        dump.dtypes
    """),
    code("""
        dump["kind"].value_counts()[lambda counts: counts > 0]
    """),
    code("""
        plot_media_types(dump);
    """),
    md("""
        ## Researchers: how schema1 faded

        Docker 1.10 introduced schema2 in 2016; the crawl shows schema1 falling from nearly
        every push in 2014 to a rounding error by 2022, and lingering longest on
        registries that kept serving it.
    """),
    code("""
        plot_schema1_prevalence(dump, by="year");
    """),
    code("""
        schema1_prevalence(dump, by="registry")
    """),
    md("""
        ## Platform teams: will it pull?

        A verdict depends only on the kind, so it is computed once per kind, not per row.
        `invalid` rows are blobs no engine would accept for any reason of format.
    """),
    code("""
        plot_verdicts(dump);
    """),
    code("""
        dump.mst.verdicts()
    """),
    md("""
        What an upgrade to Docker 28.2 breaks, registry by registry: `df.mst.breaks_on`
        keeps the rows that pull on Docker 25 and not on 28.2, and `df.mst.prevalence`
        counts them. The repositories to start with follow.
    """),
    code("""
        breaks = dump.mst.breaks_on("docker_28_2")
        breaks.groupby("registry", observed=True).size().sort_values(ascending=False)
    """),
    code("""
        plot_schema1_prevalence(dump, by="repository", top=15);
    """),
    md("""
        ## Security inventory: what does not belong

        About one blob in a hundred of a real crawl is not a manifest at all: truncated
        bodies, proxy error pages, registry error documents served with status 200. The
        `error` column names each case in moby's terms.
    """),
    code("""
        dump.mst.invalid()["error"].astype(str).value_counts()
    """),
    code("""
        artifacts = dump[dump["kind"] == "artifact"]
        artifacts.groupby("registry", observed=True).size().sort_values(ascending=False)
    """),
    md("""
        ## The real blobs

        The same call works on a folder. These are real manifests from public projects,
        with provenance in `data/real-world/PROVENANCE.tsv`.
    """),
    code("""
        real = classify(DATA / "real-world" / "blobs", progress=False)
        real.groupby(["kind", "error"], observed=True).size().rename("blobs").reset_index()
    """),
]

EXPLORE = [
    md("""
        # Explore the cache: history, verdicts, and one manifest at a time

        The cache is more than a speed-up. Every manifest in it carries labels saying
        which repositories it was seen in, and every label change is recorded with its time
        and reason. That history answers the questions a snapshot cannot: *what appeared
        since last week?*, *which digests are shared between repositories?*, *did we ever
        see this image anywhere else?*

        This notebook reads the cache of `MSTOOLKIT_STORE`. If it is empty, it first audits
        `MSTOOLKIT_REGISTRY` (as `01-audit-a-registry` does) so that there is something to
        explore.
    """),
    SETUP,
    OPEN_STORE,
    code("""
        if catalog.manifests().empty:
            store.audit(REGISTRY, concurrency=8, progress=False)
        manifests = catalog.manifests()
        print(f"{len(manifests)} manifests in the cache")
    """),
    md("""
        ## History: what changed, and when

        Each line counts label changes over time: a manifest fetched for the first time, or
        an already cached manifest seen in one more repository. A flat line is a quiet
        registry; a step is a push, a mirror sync, or a new repository sharing old images.
    """),
    code("""
        from mstoolkit.plots import plot_history, plot_verdicts

        history = catalog.label_history()
        plot_history(history);
    """),
    code("""
        week_ago = pd.Timestamp.now(tz="UTC") - pd.Timedelta(days=7)
        recent = history[history["at"] >= week_ago]
        recent.groupby("reason", observed=True).size().rename("changes in the last 7 days")
    """),
    md("""
        ## Security inventory: shared digests

        One digest in several repositories is one image published under several names:
        rebuild it once, and every name is fixed; leave it, and every name breaks.
    """),
    code("""
        shared = manifests[manifests["repositories"].str.contains(",")]
        shared[["digest", "kind", "repositories"]]
    """),
    md("""
        ## Verdicts of everything cached
    """),
    code("""
        plot_verdicts(manifests);
    """),
    code("""
        manifests.mst.verdicts()
    """),
    md("""
        ## The fetch log

        Every registry request of a pull or an audit is logged, with the rate-limit figures
        the registry sent. The same chart shows how much of the work the cache saved.
    """),
    code("""
        fetches = catalog.fetches()
        plot_history(fetches);
    """),
    md("""
        ## One manifest at a time

        Type a reference (a tag or a digest; the registry is the cache's), pick a platform
        for multi-platform images, and fetch: the summary, the verdict of every engine, the
        children and layers as tables, and the raw JSON folded below. Errors are shown as
        messages. The same widget runs as a small web app with Voilà:
        `voila notebooks/03-explore-the-cache.ipynb`.
    """),
    code("""
        from mstoolkit.widgets import FetchWidget

        FetchWidget(store)
    """),
]

NOTEBOOKS: dict[str, list[Cell]] = {
    "01-audit-a-registry.ipynb": AUDIT,
    "02-classify-a-dump.ipynb": CLASSIFY,
    "03-explore-the-cache.ipynb": EXPLORE,
}


def build(name: str, cells: list[Cell]) -> nbformat.NotebookNode:
    """One notebook, no outputs, cell ids derived from the file name and position."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    stem = name.split("-", 1)[0]
    for index, (kind, source) in enumerate(cells):
        cell = (nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell)(
            source
        )
        cell.id = f"nb{stem}-{index:02d}"
        notebook.cells.append(cell)
    nbformat.validate(notebook)
    return notebook


def write_all(directory: Path = HERE) -> list[Path]:
    """Write every notebook into *directory*; returns the paths."""
    paths = []
    for name, cells in NOTEBOOKS.items():
        path = directory / name
        nbformat.write(build(name, cells), path)
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=HERE, help="folder to write to")
    args = parser.parse_args()
    for path in write_all(args.output):
        print(path)


if __name__ == "__main__":
    main()
