"""``python -m bench.api latency``: latency at a fixed arrival rate, bare endpoint and lookup side
by side.

A closed-loop generator (wrk's default) keeps 64 requests in flight, so its percentiles measure
queueing at saturation. Here the runner first measures the lookup's capacity (closed loop, 64
connections, ``--capacity-seconds``), then sends requests on a fixed schedule at ``--fraction``
of it (wrk with ``wrk/open.lua``: one request every 1/rate s whatever the answers, wrk2-style)
to the bare endpoint and the lookup (uniform keys) alternately, ``--pairs`` times, and reports
p50, p99 and p99.9 of each. Server pinned to CPU 0, wrk to CPU 1, as for ``load``.

    python -m bench.api latency [--database clearstone_bench_100k] [--fraction 0.5]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.api.config import database_url
from bench.api.load import HOST, prewarm, server, synthetic_range, wrk

__all__ = ["run_latency"]

OPEN_SCRIPT = Path(__file__).parent / "wrk" / "open.lua"
CONNECTIONS = 64


def open_loop(port: int, mode: str, rate: float, seconds: int, lo: int, hi: int) -> dict[str, Any]:
    """One run at ``rate`` requests per second; its percentiles and the rate achieved."""
    command = [
        "taskset", "-c", "1", "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "5s",
        "-s", str(OPEN_SCRIPT), f"http://{HOST}:{port}",
        "--", mode, str(lo), str(hi), f"{rate:.1f}",
    ]  # fmt: skip
    load_before = os.getloadavg()[0]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60)
    line = next(x for x in reversed(done.stdout.splitlines()) if x.startswith("{"))
    result: dict[str, Any] = json.loads(line)
    result.update(mode=mode, target_rate=rate, load1_before=round(load_before, 2))
    result["rate"] = result["requests"] / (result["duration_us"] / 1e6)
    print(
        f"  {mode:<15} {result['rate']:7,.0f}/s (target {rate:,.0f})  p50 "
        f"{result['p50_us'] / 1000:6.2f} ms  p99 {result['p99_us'] / 1000:6.2f} ms  p99.9 "
        f"{result['p999_us'] / 1000:6.2f} ms  (load {load_before:.2f})",
        flush=True,
    )
    return result


def run_latency(
    database: str,
    *,
    fraction: float,
    seconds: int,
    capacity_seconds: int,
    pairs: int,
    port: int,
    label: str,
    results: Path,
) -> dict[str, Any]:
    url = database_url(database)
    lo, hi = synthetic_range(url)
    prewarm(url)
    report: dict[str, Any] = {
        "label": label,
        "database": database,
        "stones": hi - lo + 1,
        "fraction": fraction,
        "seconds": seconds,
        "pairs": pairs,
        "connections": CONNECTIONS,
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "load1_before": os.getloadavg()[0],
        "runs": [],
    }
    with server(url, port, {}):
        for mode in ("bare", "lookup-uniform"):
            wrk(port, mode, 3, lo, hi, "")  # warm-up
        capacity = wrk(port, "lookup-uniform", capacity_seconds, lo, hi, "")
        rate = fraction * capacity["rps"]
        report["capacity_rps"] = capacity["rps"]
        report["rate"] = rate
        print(f"lookup capacity {capacity['rps']:,.0f}/s (closed loop); open loop at {rate:,.0f}/s")
        for _ in range(pairs):
            for mode in ("bare", "lookup-uniform"):
                report["runs"].append(open_loop(port, mode, rate, seconds, lo, hi))
    summary = {}
    for mode in ("bare", "lookup-uniform"):
        runs = [r for r in report["runs"] if r["mode"] == mode]
        summary[mode] = {
            key: statistics.median(r[key] for r in runs) / 1000
            for key in ("p50_us", "p99_us", "p999_us")
        }
    report["summary_ms"] = summary
    report["load1_after"] = os.getloadavg()[0]
    print(f"\nmedian of {pairs} runs of {seconds}s at {rate:,.0f}/s ({fraction:.0%} of capacity)")
    print("| endpoint | p50 ms | p99 ms | p99.9 ms |\n|---|---:|---:|---:|")
    for mode, figures in summary.items():
        print(
            f"| {mode} | {figures['p50_us']:.2f} | {figures['p99_us']:.2f} | "
            f"{figures['p999_us']:.2f} |"
        )
    results.mkdir(parents=True, exist_ok=True)
    path = results / f"latency-{label}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written {path}")
    return report
