"""Manifest store benchmarks: cached ``get`` per second, and audit throughput vs baselines.

usage: python benchmarks/bench_manifest_store.py [--manifests N] [--distinct N] [--profile]
                                                  [--skip-audit] [--skopeo N] [--latency-ms MS]

Part 1, cached get (issue 7 target: >= 20,000/s on a warm store). A LocalStore is warmed
with N distinct OCI manifests fetched through a counting fake remote; then every manifest
is got again, round after round, and the remote must see no call. Three variants: the
default store (parsed manifests memoised by digest, one metadata lookup per get), the same
with the memo off (the seed's path: writer probe, info, read, parse), and a MemoryStore.

Part 2, audit (issue 7 target: >= 10x skopeo in a loop and >= 80% of a keep-alive stdlib
client, while verifying every digest and persisting into the store). A registry from
``tests/registry_harness`` is started on a free port and given ``--distinct`` different
manifests under one repository (pushed with the stdlib, all sharing one config blob). Then
in one run: ``skopeo inspect --raw`` per manifest in a loop; a keep-alive ``http.client``
client (sequential and 8 threads) that GETs each tag and checks its digest; and
``audit()`` into a fresh LocalStore (every digest verified, every manifest committed and
labelled), then the same audit again over the full cache (the resumable rerun), for each
``resolve`` mode: ``auto`` (the default: one GET per tag never fetched, a HEAD per tag fetched
before), ``head`` (HEAD, then GET by digest) and ``get``. The last lines put the default
audit beside the issue-7 targets (10x skopeo, 80% of the keep-alive client).

``--latency-ms MS`` repeats part 2 through the test suite's fault proxy (its own process),
which holds every manifest answer MS milliseconds, as a registry across a network would.
``--profile`` prints a pyinstrument profile of each cached-get variant. ``--variants`` picks
audit variants by name (``auto-8-2,head-8-2``: resolve, concurrency, store threads) and
``--distinct`` sets the manifest count, for short runs while iterating.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import hashlib
import http.client
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mstoolkit.content import LocalStore, MemoryStore  # noqa: E402
from mstoolkit.descriptor import Descriptor  # noqa: E402
from mstoolkit.manifest_store import ManifestStore  # noqa: E402
from mstoolkit.manifest_store.audit import audit  # noqa: E402
from mstoolkit.manifest_store.testing import CountingRemote  # noqa: E402
from mstoolkit.mediatypes import MANIFEST_ACCEPT, OCI_CONFIG, OCI_MANIFEST  # noqa: E402
from mstoolkit.reference import parse_reference  # noqa: E402

HARNESS = ROOT / "tests" / "registry_harness"
#: (resolve, concurrency, store threads) of the audits measured.
AUDIT_VARIANTS = (
    ("auto", 8, 2),
    ("head", 8, 2),
    ("get", 8, 2),
    ("auto", 8, 0),
    ("auto", 16, 2),
    ("auto", 1, 2),
)
DEFAULT_VARIANT = ("auto", 8, 2)
for _var in ("no_proxy", "NO_PROXY"):
    os.environ[_var] = "127.0.0.1,localhost,::1"


def _manifest(i: int, config: str, config_size: int) -> bytes:
    doc = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": config, "size": config_size},
        "layers": [],
        "annotations": {"org.example.bench.index": str(i)},
    }
    return json.dumps(doc, separators=(",", ":")).encode()


_CONFIG = json.dumps(
    {"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}}
).encode()
_CONFIG_DIGEST = "sha256:" + hashlib.sha256(_CONFIG).hexdigest()


# -- part 1: cached get -------------------------------------------------------------------


def _timed_gets(
    store: ManifestStore, descs: list[Descriptor], ref: Any, seconds: float
) -> tuple[float, float]:
    """Gets per second of wall-clock time and of this process's CPU time.

    Both are printed: the CPU figure is what the code costs, the wall figure what a user sees
    (and it drops when other processes share the two cores).
    """
    done = 0
    start = time.perf_counter()
    cpu = time.process_time()
    while True:
        for desc in descs:
            store.get(desc, ref)
        done += len(descs)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / elapsed, done / (time.process_time() - cpu)


def bench_cached_get(
    n: int, seconds: float, profile: bool
) -> list[tuple[str, tuple[float, float]]]:
    remote = CountingRemote("bench.test")
    descs = [remote.push("bench/app", _manifest(i, _CONFIG_DIGEST, len(_CONFIG))) for i in range(n)]
    ref = parse_reference("bench.test/bench/app:latest")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        local = LocalStore(Path(tmp) / "store")
        variants = [
            ("LocalStore, memo on (default)", ManifestStore(local, remote)),
            ("LocalStore, memo off (seed path)", ManifestStore(local, remote, memo_size=0)),
            ("MemoryStore, memo on", ManifestStore(MemoryStore(), remote)),
        ]
        for name, store in variants:
            for desc in descs:  # warm: fetch what this store lacks
                store.get(desc, ref)
            remote.reset()
            if profile:
                from pyinstrument import Profiler  # noqa: PLC0415 (only with --profile)

                profiler = Profiler(interval=0.0002)
                profiler.start()
                _timed_gets(store, descs, ref, 1.0)
                profiler.stop()
                print(profiler.output_text(unicode=False, color=False, show_all=False))
            rate = _timed_gets(store, descs, ref, seconds)
            calls = sum(remote.calls.values())
            if calls:
                raise SystemExit(f"{name}: the remote saw {calls} calls during cached gets")
            results.append((name, rate))
    return results


# -- part 2: audit --------------------------------------------------------------------------


def _start_registry(datadir: Path) -> str:
    subprocess.run(["bash", str(HARNESS / "setup.sh")], check=True)
    out = subprocess.run(
        ["bash", str(HARNESS / "start.sh"), "0", str(datadir)],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        timeout=60,
    )
    return out.stdout.strip()


def _push_distinct(host: str, repo: str, n: int) -> list[tuple[str, str]]:
    """Upload one config blob, then PUT *n* manifests that differ by an annotation."""
    conn = http.client.HTTPConnection(host, timeout=30)
    conn.request("POST", f"/v2/{repo}/blobs/uploads/", body=b"")
    resp = conn.getresponse()
    resp.read()
    location = resp.getheader("Location", "")
    if resp.status != 202 or not location:
        raise SystemExit(f"upload start failed: {resp.status}")
    path = location.removeprefix(f"http://{host}")
    sep = "&" if "?" in path else "?"
    conn.request(
        "PUT",
        f"{path}{sep}digest={_CONFIG_DIGEST}",
        body=_CONFIG,
        headers={"Content-Type": "application/octet-stream"},
    )
    resp = conn.getresponse()
    resp.read()
    if resp.status != 201:
        raise SystemExit(f"config upload failed: {resp.status}")
    refs = []
    for i in range(n):
        body = _manifest(i, _CONFIG_DIGEST, len(_CONFIG))
        tag = f"m-{i:05d}"
        conn.request(
            "PUT", f"/v2/{repo}/manifests/{tag}", body=body, headers={"Content-Type": OCI_MANIFEST}
        )
        resp = conn.getresponse()
        resp.read()
        if resp.status != 201:
            raise SystemExit(f"manifest PUT failed: {resp.status}")
        refs.append((tag, "sha256:" + hashlib.sha256(body).hexdigest()))
    conn.close()
    return refs


def _keepalive(host: str, repo: str, refs: list[tuple[str, str]], workers: int) -> float:
    chunks = [refs[i::workers] for i in range(workers)]

    def run(chunk: list[tuple[str, str]]) -> int:
        conn = http.client.HTTPConnection(host, timeout=30)
        for tag, digest in chunk:
            conn.request("GET", f"/v2/{repo}/manifests/{tag}", headers={"Accept": MANIFEST_ACCEPT})
            resp = conn.getresponse()
            body = resp.read()
            if resp.status != 200 or "sha256:" + hashlib.sha256(body).hexdigest() != digest:
                raise SystemExit(f"keep-alive baseline: bad answer for {tag}")
        conn.close()
        return len(chunk)

    start = time.perf_counter()
    with cf.ThreadPoolExecutor(workers) as pool:
        done = sum(pool.map(run, chunks))
    return done / (time.perf_counter() - start)


def _skopeo(host: str, repo: str, refs: list[tuple[str, str]]) -> float:
    start = time.perf_counter()
    for tag, digest in refs:
        raw = subprocess.run(
            ["skopeo", "inspect", "--raw", "--tls-verify=false", f"docker://{host}/{repo}:{tag}"],
            check=True,
            stdout=subprocess.PIPE,
        ).stdout
        if "sha256:" + hashlib.sha256(raw).hexdigest() != digest:
            raise SystemExit(f"skopeo baseline: bad answer for {tag}")
    return len(refs) / (time.perf_counter() - start)


def _audit_rate(
    host: str, repo: str, root: Path, concurrency: int, threads: int, resolve: str
) -> tuple[float, float, float, float]:
    """Manifests/s of a first audit into an empty store and of the rerun over it, and the CPU
    milliseconds per manifest of each (this process: client, verification, store)."""
    local = LocalStore(root)
    runs = []
    cpu = []
    for _ in range(2):
        before = time.process_time()
        result = audit(
            ManifestStore(local, CountingRemote("unused")),
            host,
            repositories=[repo],
            concurrency=concurrency,
            progress=False,
            store_threads=threads,
            resolve=resolve,
        )
        cpu.append((time.process_time() - before) * 1000 / max(len(result.rows), 1))
        if not result.ok:
            raise SystemExit(f"audit failed: {result!r} {result.failures[:3]}")
        runs.append(result)
    first, again = runs
    if first.fetched != len(first.rows):
        raise SystemExit(f"first audit did not fetch everything: {first!r}")
    if resolve != "get" and again.cached != len(again.rows):
        raise SystemExit(f"rerun fetched again: {again!r}")
    held = sum(1 for _ in local.walk())
    if held < len(first.rows) or len(local.fetch_log()) != 2 * len(first.rows):
        raise SystemExit(f"store holds {held} blobs for {len(first.rows)} rows")
    local.close()
    return len(first.rows) / first.elapsed, len(again.rows) / again.elapsed, cpu[0], cpu[1]


_PROXY = """
import sys, time
sys.path.insert(0, sys.argv[1])
from tests.support.fault_proxy import Fault, FaultProxy
proxy = FaultProxy(sys.argv[2])
proxy.add(Fault(path="/manifests/", delay=float(sys.argv[3]) / 1000))
print(proxy.host, flush=True)
time.sleep(86400)
"""


def _latency_proxy(url: str, latency_ms: float) -> tuple[subprocess.Popen[str], str]:
    """The test suite's fault proxy, in its own process, holding each manifest answer."""
    process = subprocess.Popen(
        [sys.executable, "-c", _PROXY, str(ROOT), url, str(latency_ms)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


Row = tuple[str, float, str]


def _measure(
    host: str,
    repo: str,
    refs: list[tuple[str, str]],
    tmp: Path,
    skopeo_n: int,
    tag: str,
    variants: tuple[tuple[str, int, int], ...],
) -> list[Row]:
    skopeo = _skopeo(host, repo, refs[:skopeo_n])
    sequential = _keepalive(host, repo, refs, 1)
    threaded = _keepalive(host, repo, refs, 8)
    results: list[Row] = [
        (f"skopeo inspect --raw, shell loop ({skopeo_n} manifests)", skopeo, ""),
        ("keep-alive http.client, sequential", sequential, ""),
        ("keep-alive http.client, 8 threads", threaded, ""),
    ]
    default: tuple[float, float] | None = None
    for variant in variants:
        resolve, concurrency, threads = variant
        fresh, rerun, cpu_fresh, cpu_rerun = _audit_rate(
            host,
            repo,
            tmp / f"store-{tag}-{resolve}-{concurrency}-{threads}",
            concurrency,
            threads,
            resolve,
        )
        where = "loop thread" if threads == 0 else f"{threads} store threads"
        results.append(
            (
                f"audit(resolve={resolve!r}), concurrency {concurrency}, store on {where}",
                fresh,
                f"{cpu_fresh:.2f} ms CPU each",
            )
        )
        again = "GET again" if resolve == "get" else "HEAD only"
        results.append(
            (f"  the same again over the full cache ({again})", rerun, f"{cpu_rerun:.2f} ms CPU")
        )
        if variant == DEFAULT_VARIANT:
            default = (fresh, rerun)
    if default is not None:
        for name, value in (("first audit", default[0]), ("rerun", default[1])):
            results.append(
                (
                    f"default audit, {name}: x skopeo / % of keep-alive seq. / % of 8 threads",
                    value / skopeo,
                    f"{100 * value / sequential:.0f}% / {100 * value / threaded:.0f}%",
                )
            )
    return results


def bench_audit(
    distinct: int, skopeo_n: int, latency_ms: float, variants: tuple[tuple[str, int, int], ...]
) -> list[tuple[str, list[Row]]]:
    """Per target (loopback, and the latency proxy if asked): (name, manifests/s) rows."""
    sections = []
    with tempfile.TemporaryDirectory() as tmp:
        datadir = Path(tmp) / "registry"
        url = _start_registry(datadir)
        try:
            host = url.removeprefix("http://")
            repo = "bench/many"
            refs = _push_distinct(host, repo, distinct)
            sections.append(
                ("loopback", _measure(host, repo, refs, Path(tmp), skopeo_n, "lo", variants))
            )
            if latency_ms > 0:
                proxy, proxied = _latency_proxy(url, latency_ms)
                try:
                    sections.append(
                        (
                            f"+{latency_ms:g} ms per manifest request (fault proxy)",
                            _measure(proxied, repo, refs, Path(tmp), skopeo_n, "lat", variants),
                        )
                    )
                finally:
                    proxy.kill()
                    proxy.wait()
        finally:
            subprocess.run(["bash", str(HARNESS / "stop.sh"), "--purge", str(datadir)], check=True)
    return sections


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--manifests", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--distinct", type=int, default=2000)
    parser.add_argument("--skopeo", type=int, default=60)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--skip-audit", action="store_true")
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="also audit through a proxy adding this much per manifest",
    )
    parser.add_argument(
        "--variants",
        default=",".join(f"{r}-{c}-{t}" for r, c, t in AUDIT_VARIANTS),
        help="audits to run: resolve-concurrency-storethreads, comma-separated",
    )
    args = parser.parse_args()
    variants = tuple(
        (r, int(c), int(t)) for r, c, t in (v.split("-") for v in args.variants.split(","))
    )

    print(
        f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"\n## cached ManifestStore.get, {args.manifests} manifests, warm store")
    print(f"{'':<40} {'wall':>10} {'CPU':>10}  (gets/s)")
    for name, (wall, cpu) in bench_cached_get(args.manifests, args.seconds, args.profile):
        print(f"{name:<40} {wall:>10,.0f} {cpu:>10,.0f}")
    if args.skip_audit:
        return
    for where, rows in bench_audit(args.distinct, args.skopeo, args.latency_ms, variants):
        print(f"\n## audit of {args.distinct} distinct manifests in one repository, {where}")
        print(f"# load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        for name, rate, note in rows:
            unit = "x" if name.startswith("default audit") else "manifests/s"
            figure = f"{rate:>8,.1f}" if unit == "x" else f"{rate:>8,.0f}"
            print(f"{name:<74} {figure} {unit:<11} {note}")


if __name__ == "__main__":
    main()
