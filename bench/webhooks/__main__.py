"""Webhook delivery: events per second to a local receiver, and the delay from an event's
commit to its delivery at p50 and p99 under load, with a baseline in the same run.

    python -m bench.webhooks [--backends sqlite postgresql] [--workers 1 2] [--concurrency 8]
                             [--events 400] [--rate 50] [--seconds 15] [--label run]

PostgreSQL is ``CLEARSTONE_BENCH_POSTGRES`` (default ``postgres@127.0.0.1:5432``); the
benchmark makes and drops the database ``clearstone_bench_webhooks``. Everything listens on
127.0.0.1. What each phase does: ``bench/webhooks/run.py``; the report:
``bench/webhooks/README.md``. Results go to ``bench/webhooks/results/<label>-<time>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

from bench.webhooks.run import Config, run_baseline, run_configuration

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.webhooks",
        description=__doc__,
        formatter_class=argparse.RawTextHelpFormatter,
    )
    parser.add_argument(
        "--backends", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"]
    )
    parser.add_argument("--workers", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--concurrency", type=int, default=8, help="jobs per worker process")
    parser.add_argument("--events", type=int, default=400, help="events of the capacity phase")
    parser.add_argument("--rate", type=float, default=50, help="most events/s offered for delay")
    parser.add_argument("--seconds", type=float, default=15, help="length of the delay phase")
    parser.add_argument("--timeout", type=float, default=180, help="most a phase may take")
    parser.add_argument("--label", default="run")
    args = parser.parse_args()

    report: dict[str, Any] = {
        "label": args.label,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpus": os.cpu_count(),
        "arguments": vars(args),
        "configurations": [],
    }
    print(f"baseline: the receiver driven by httpx ({args.events} posts)", flush=True)
    report["baseline"] = run_baseline(args.events, args.concurrency)
    print(json.dumps(report["baseline"]), flush=True)
    configs = [
        Config(backend, workers, args.concurrency)
        for backend in args.backends
        for workers in (args.workers if backend == "postgresql" else [1])
    ]
    for config in configs:
        print(f"{config.name}: {args.events} events, then {args.seconds:.0f} s paced", flush=True)
        result = run_configuration(config, args.events, args.rate, args.seconds, args.timeout)
        report["configurations"].append(result)
        print(json.dumps(result), flush=True)
    base = report["baseline"]["kept_alive"]["events_per_s"]
    print(f"\n{'configuration':48} {'events/s':>9} {'÷ base':>7} {'p50 ms':>8} {'p99 ms':>8}")
    for result in report["configurations"]:
        capacity, load = result["capacity"]["events_per_s"], result["under_load"]
        print(
            f"{result['configuration']:48} {capacity:9.1f} {capacity / base:7.3f} "
            f"{load['p50_ms']:8.1f} {load['p99_ms']:8.1f}  (at {load['offered_events_per_s']}/s)"
        )
    print(f"{'baseline: httpx, kept-alive':48} {base:9.1f} {1:7.3f}")
    fresh = report["baseline"]["new_client_per_post"]["events_per_s"]
    print(f"{'baseline: a new httpx.Client per post':48} {fresh:9.1f} {fresh / base:7.3f}")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{args.label}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten {path}")


if __name__ == "__main__":
    main()
