"""Audit throughput: manifests per second fetched from a real registry, ours vs baselines.

usage: python benchmarks/bench_registry.py [--url URL] [--rounds 5] [--repeat 3]
                                          [--skopeo-rounds 1] [--latency-ms 0]

Starts (or reuses, with ``--url``) a seeded harness registry (CNCF distribution 2.8.2 from
``tests/registry_harness``) and fetches every seeded *tag* (43 of them), ``--rounds`` times
over, with:

``mstoolkit sequential``   ``RegistryClient.get_manifest`` in a loop (verification included)
``mstoolkit async x8``     ``AsyncRegistryClient`` (``max_concurrency=8``), all at once
``mstoolkit HEAD ...``     the same two with ``head_manifest`` (an audit's rerun), each
                           descriptor's digest checked
``http.client keep-alive`` the floor: one persistent connection, same Accept, a sha256 check
``http.client x8``         the same in 8 threads, one connection each
``skopeo inspect --raw``   a bash loop running one ``skopeo`` process per manifest

Each figure is the median of ``--repeat`` runs; every answer is checked against the
inventory digest (schema1 over its JWS payload), so all modes do the same work. Prints one
line per mode and exits non-zero on any mismatch.

On loopback the registry answers in well under a millisecond, so the figures measure CPU per
manifest (ours, the registry's, Python's), not latency hiding. ``--latency-ms N`` routes every
mode through the test suite's loopback proxy (``tests/support/fault_proxy.py``, in its own
process), which holds each manifest answer N ms, as a registry across a network would; that
is where concurrency pays.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures as cf
import http.client
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mstoolkit.mediatypes import MANIFEST_ACCEPT  # noqa: E402
from mstoolkit.registry import AsyncRegistryClient, RegistryClient  # noqa: E402
from mstoolkit.registry.verify import content_digest  # noqa: E402

HARNESS = ROOT / "tests" / "registry_harness"
Ref = tuple[str, str, str]  # repo, tag, expected digest


def _sh(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip()


def load_refs(inventory: Path) -> list[Ref]:
    refs = []
    for line in inventory.read_text().splitlines()[1:]:
        repo, tag, digest, media_type, _ = line.split("\t")
        if media_type != "-" and tag != "-":
            refs.append((repo, tag, digest))
    return refs


def bench_ours_sequential(host: str, refs: list[Ref]) -> int:
    errors = 0
    with RegistryClient(host, insecure=True) as client:
        for repo, tag, digest in refs:
            errors += client.get_manifest(repo, tag).digest != digest
    return errors


def bench_ours_head(host: str, refs: list[Ref]) -> int:
    errors = 0
    with RegistryClient(host, insecure=True) as client:
        for repo, tag, digest in refs:
            errors += str(client.head_manifest(repo, tag).digest) != digest
    return errors


def bench_ours_async_head(host: str, refs: list[Ref]) -> int:
    async def run() -> int:
        async with AsyncRegistryClient(host, insecure=True, max_concurrency=8) as client:
            got = await asyncio.gather(*(client.head_manifest(r, t) for r, t, _ in refs))
        return sum(str(f.digest) != d for f, (_, _, d) in zip(got, refs, strict=True))

    return asyncio.run(run())


def bench_ours_async(host: str, refs: list[Ref]) -> int:
    async def run() -> int:
        async with AsyncRegistryClient(host, insecure=True, max_concurrency=8) as client:
            got = await asyncio.gather(*(client.get_manifest(r, t) for r, t, _ in refs))
        return sum(f.digest != d for f, (_, _, d) in zip(got, refs, strict=True))

    return asyncio.run(run())


def _keepalive_fetcher(host: str) -> Callable[[Ref], bool]:
    local = threading.local()

    def fetch(ref: Ref) -> bool:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection(host, timeout=30)
        conn.request("GET", f"/v2/{ref[0]}/manifests/{ref[1]}", headers={"Accept": MANIFEST_ACCEPT})
        response = conn.getresponse()
        body = response.read()
        return response.status == 200 and str(content_digest(body)) == ref[2]

    return fetch


def bench_keepalive(host: str, refs: list[Ref], workers: int) -> int:
    fetch = _keepalive_fetcher(host)
    if workers == 1:
        return sum(not fetch(ref) for ref in refs)
    with cf.ThreadPoolExecutor(workers) as pool:
        return sum(not ok for ok in pool.map(fetch, refs))


def bench_skopeo(host: str, refs: list[Ref]) -> int:
    """One bash loop, one skopeo process per manifest, digests checked afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "refs"
        listing.write_text("".join(f"{r}:{t}\n" for r, t, _ in refs))
        out = Path(tmp) / "out"
        out.mkdir()
        script = (
            "i=0; while read -r ref; do i=$((i+1)); "
            'skopeo inspect --raw --tls-verify=false "docker://$HOST/$ref" > "$OUT/$i"; '
            'done < "$LIST"'
        )
        env = {**os.environ, "HOST": host, "OUT": str(out), "LIST": str(listing)}
        env["REGISTRY_AUTH_FILE"] = str(Path(tmp) / "auth.json")
        Path(env["REGISTRY_AUTH_FILE"]).write_text('{"auths":{}}')
        subprocess.run(["bash", "-c", script], check=True, env=env)
        return sum(
            str(content_digest((out / str(i + 1)).read_bytes())) != ref[2]
            for i, ref in enumerate(refs)
        )


_PROXY = """
import sys, time
sys.path.insert(0, sys.argv[1])
from tests.support.fault_proxy import Fault, FaultProxy
proxy = FaultProxy(sys.argv[2])
proxy.add(Fault(path="/manifests/", delay=float(sys.argv[3]) / 1000))
print(proxy.host, flush=True)
time.sleep(86400)
"""


def start_latency_proxy(url: str, latency_ms: float) -> tuple[subprocess.Popen[str], str]:
    """The test suite's fault proxy in its own process (so it does not compete for our GIL),
    holding every manifest answer *latency_ms*; returns the process and its host:port."""
    process = subprocess.Popen(
        [sys.executable, "-c", _PROXY, str(ROOT), url, str(latency_ms)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def measure(fn: Callable[[], int], repeat: int) -> tuple[float, float, int]:
    """Median wall seconds, median CPU seconds of this process (threads included; not the
    registry's, nor skopeo's children), and the mismatches."""
    times, cpu, errors = [], [], 0
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        errors += fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(times), statistics.median(cpu), errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a registry already seeded by seed.sh")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the 43 tags")
    parser.add_argument("--repeat", type=int, default=3, help="runs per mode (median)")
    parser.add_argument("--skopeo-rounds", type=int, default=1)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added per manifest")
    args = parser.parse_args()
    os.environ["no_proxy"] = os.environ["NO_PROXY"] = "127.0.0.1,localhost"

    tmp = Path(tempfile.mkdtemp(prefix="bench-registry-"))
    proxy: subprocess.Popen[str] | None = None
    datadir = tmp / "registry"
    try:
        if args.url:
            url = args.url
        else:
            _sh("bash", str(HARNESS / "setup.sh"))
            url = _sh("bash", str(HARNESS / "start.sh"), "--log-level", "info", "0", str(datadir))
            _sh("bash", str(HARNESS / "seed.sh"), url, str(tmp / "inventory.tsv"))
        host = url.removeprefix("http://")
        if args.latency_ms > 0:
            proxy, host = start_latency_proxy(url, args.latency_ms)
        tags = load_refs(HARNESS / "seed-inventory.tsv")
        refs = tags * args.rounds
        skopeo_refs = tags * args.skopeo_rounds
        modes: list[tuple[str, list[Ref], Callable[[], int]]] = [
            ("mstoolkit sequential", refs, lambda: bench_ours_sequential(host, refs)),
            ("mstoolkit async x8", refs, lambda: bench_ours_async(host, refs)),
            ("mstoolkit HEAD sequential", refs, lambda: bench_ours_head(host, refs)),
            ("mstoolkit HEAD async x8", refs, lambda: bench_ours_async_head(host, refs)),
            ("http.client keep-alive", refs, lambda: bench_keepalive(host, refs, 1)),
            ("http.client x8", refs, lambda: bench_keepalive(host, refs, 8)),
        ]
        if shutil.which("skopeo"):
            modes.append(
                ("skopeo inspect --raw loop", skopeo_refs, lambda: bench_skopeo(host, skopeo_refs))
            )
        print(
            f"# {platform.node()} {os.cpu_count()} cpus, python {platform.python_version()}, "
            f"registry {url}, {len(tags)} tags, +{args.latency_ms:g} ms per manifest, "
            f"median of {args.repeat}"
        )
        failed = 0
        for name, items, fn in modes:
            seconds, cpu, errors = measure(fn, args.repeat)
            failed += errors
            print(
                f"{name:28s} n={len(items):4d} {seconds:7.3f} s {len(items) / seconds:8.1f} "
                f"manifests/s {cpu * 1000 / len(items):6.3f} ms CPU each errors={errors}"
            )
        return 1 if failed else 0
    finally:
        if proxy is not None:
            proxy.terminate()
            proxy.wait()
        if not args.url:
            subprocess.run(
                ["bash", str(HARNESS / "stop.sh"), "--purge", str(datadir)],
                check=False,
                capture_output=True,
            )
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
