"""``python -m bench.edge``: certificate lookups over a hot set through the deploy's nginx, with
its cache and without, paired and interleaved in one run.

The bench app (the real app plus the bare endpoint, ``bench/api/app.py``) serves the benchmark
database under uvicorn pinned to CPU 0, with the product's default ``Cache-Control`` (max-age
60 s, stale-while-revalidate 30 s). Two nginx processes run ``deploy/nginx.conf`` adapted by
``bench/edge/nginx.py``, one worker each, pinned to CPU 1 with wrk: one with the public lookups'
cache, one with ``proxy_cache off`` and nothing else changed. The hot set (the first ``--hot``
synthetic numbers) is read once through the cached nginx, then wrk (64 connections, uniform keys
over the hot set) alternates ``--pairs`` runs of ``--seconds`` without and with the cache. The
figure is the median of the paired throughput ratios; cached entries expire after 60 s during
the runs and are revalidated with If-None-Match, as in production.

    python -m bench.edge [--database clearstone_bench_100k] [--hot 10000] [--pairs 3]

Writes ``bench/edge/results/edge-<label>-<stamp>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.api.config import database_url
from bench.api.load import _cpu_seconds, prewarm, server, synthetic_range, wrk
from bench.edge.nginx import running_nginx

RESULTS = Path(__file__).parent / "results"


def _fill(base: str, numbers: list[str]) -> dict[str, int]:
    """Read every number once through ``base``; the cache statuses seen."""

    def one(number: str) -> str:
        with urllib.request.urlopen(f"{base}/v1/certificates/{number}", timeout=10) as answer:
            return str(answer.headers.get("X-Cache-Status", "-"))

    with ThreadPoolExecutor(16) as pool:
        seen = list(pool.map(one, numbers))
    return {status: seen.count(status) for status in sorted(set(seen))}


def _run(port: int, pid: int, seconds: int, lo: int, hi: int) -> dict[str, Any]:
    cpu = _cpu_seconds(pid)
    result = wrk(port, "lookup-uniform", seconds, lo, hi, "")
    result["api_cpu_us_per_request"] = (_cpu_seconds(pid) - cpu) * 1e6 / result["requests"]
    return result


def _line(run: dict[str, Any]) -> str:
    return (
        f"{run['rps']:8,.0f} req/s (p99 {run['p99_us'] / 1000:.1f} ms, "
        f"API {run['api_cpu_us_per_request']:.0f} µs/req)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.edge", description=__doc__)
    parser.add_argument("--database", default="clearstone_bench_100k")
    parser.add_argument("--hot", type=int, default=10_000)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--port", type=int, default=18765, help="the API; nginx on +1 and +2")
    parser.add_argument("--label", default="run")
    args = parser.parse_args()

    url = database_url(args.database)
    lo, hi = synthetic_range(url)
    hot_hi = min(hi, lo + args.hot - 1)
    prewarm(url)
    report: dict[str, Any] = {
        "label": args.label,
        "database": args.database,
        "hot_set": hot_hi - lo + 1,
        "pairs": args.pairs,
        "seconds": args.seconds,
        "load1_before": os.getloadavg()[0],
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "runs": [],
    }
    cached_port, uncached_port = args.port + 1, args.port + 2
    with tempfile.TemporaryDirectory(prefix="clearstone-edge-") as work:
        with (
            server(url, args.port, {}) as api,
            running_nginx(
                listen_port=cached_port, api_port=args.port, workdir=Path(work) / "cached", cpu=1
            ) as cached,
            running_nginx(
                listen_port=uncached_port, api_port=args.port, workdir=Path(work) / "uncached",
                cache=False, cpu=1,
            ),
        ):  # fmt: skip
            numbers = [f"SYN-{index:09d}" for index in range(lo, hot_hi + 1)]
            started = time.perf_counter()
            report["fill"] = _fill(cached, numbers)
            report["fill_s"] = round(time.perf_counter() - started, 1)
            print(f"hot set of {len(numbers):,} read once: {report['fill']}", flush=True)
            for port in (uncached_port, cached_port):
                wrk(port, "lookup-uniform", 3, lo, hot_hi, "")  # warm-up
            ratios = []
            for _ in range(args.pairs):
                without = _run(uncached_port, api.pid, args.seconds, lo, hot_hi)
                with_cache = _run(cached_port, api.pid, args.seconds, lo, hot_hi)
                ratios.append(with_cache["rps"] / without["rps"])
                report["runs"] += [{**without, "cache": False}, {**with_cache, "cache": True}]
                print(
                    f"  without {_line(without)}   with {_line(with_cache)}   "
                    f"ratio {ratios[-1]:.1f}",
                    flush=True,
                )
    report["ratios"] = ratios
    report["ratio_median"] = statistics.median(ratios)
    report["load1_after"] = os.getloadavg()[0]
    print(f"with ÷ without the cache: {report['ratio_median']:.1f}× (median of {args.pairs})")
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"edge-{args.label}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written {path}")


if __name__ == "__main__":
    main()
