"""Run the load-and-fault test, or measure what observability costs a lookup.

    python -m bench.load                      # clean run, then PostgreSQL restarted mid-run
    python -m bench.load --skip-fault         # the clean run only
    python -m bench.load overhead [--multiprocess]
    python -m bench.load report               # rewrite REPORT.md from results/*.json

The run needs this machine's PostgreSQL (127.0.0.1:5432, user postgres, trust) and Redis
(127.0.0.1:6379). It drops and recreates the database ``clearstone_load``, starts two
``clearstone-api serve`` processes on 127.0.0.1:8801 and :8802, and stops them at the end. The
fault run stops the local PostgreSQL cluster for a few seconds: anything else using it notices.
Whatever happens, PostgreSQL is started again before this exits.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
RESULTS = HERE / "results"
REPORT = HERE / "REPORT.md"


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", nargs="?", default="run", choices=["run", "overhead", "report"])
    parser.add_argument("--database", default="clearstone_load")
    parser.add_argument("--seconds", type=float, default=30, help="clean run length")
    parser.add_argument("--fault-seconds", type=float, default=40, help="fault run length")
    parser.add_argument("--down-at", type=float, default=10, help="stop PostgreSQL at (s)")
    parser.add_argument("--down-seconds", type=float, default=6, help="keep it stopped (s)")
    parser.add_argument("--users", type=int, default=32, help="concurrent virtual users")
    parser.add_argument("--workers", type=int, default=1, help="workers per server process")
    parser.add_argument("--skip-fault", action="store_true")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=60,
        help="wait up to this long (s) for nobody else to use PostgreSQL before stopping it",
    )
    parser.add_argument("--multiprocess", action="store_true", help="overhead: mmap metrics")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-load-") as scratch:
        run_dir = Path(scratch)
        if args.command == "overhead":
            if args.multiprocess:
                # Before prometheus_client is imported: it picks its value store at import.
                os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(run_dir / "prometheus")
            from bench.load.overhead import measure_overhead

            name = "overhead-multiprocess" if args.multiprocess else "overhead"
            measured = measure_overhead(f"{args.database}_overhead", run_dir)
            (RESULTS / f"{name}.json").write_text(json.dumps(measured, indent=2) + "\n")
        elif args.command == "run":
            from bench.load.run import run

            results = run(args, run_dir)
            (RESULTS / "load.json").write_text(json.dumps(results, indent=2) + "\n")
    from bench.load.report import write_report

    write_report(RESULTS, REPORT)
    print(f"wrote {REPORT}", file=sys.stderr)


if __name__ == "__main__":
    main()
