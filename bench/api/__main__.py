"""Run the API benchmark.

    python -m bench.api setup [--fresh] [--stones 1000000] [--database clearstone_bench]
    python -m bench.api setup --distinct-records --stones 100000 \
        --database clearstone_bench_distinct
    python -m bench.api load [--pairs 3] [--seconds 10] [--long-seconds 30] [--wait-quiet 1200]
    python -m bench.api reassess --database clearstone_bench_distinct --country IN \
        [--workers 1 2] [--profile 2000]
    python -m bench.api generate --stones N [--batch-size 20000]

``generate`` bulk-loads N synthetic stones into the database the service is configured for
(``CLEARSTONE_DATABASE_URL``, migrated first with ``clearstone-api migrate``).

``setup`` makes (or reuses) the database; ``load`` starts the bench app under uvicorn pinned to
CPU 0 and drives it with wrk pinned to CPU 1; ``reassess`` records an incident and times the
re-assessment it causes on 1, then 2, ``clearstone-api worker`` processes. Results go to
``bench/api/results/``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.api",
        description=__doc__,
        formatter_class=argparse.RawTextHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)

    setup = commands.add_parser("setup", help="create (or reuse) a benchmark database")
    setup.add_argument("--database", default="clearstone_bench")
    setup.add_argument("--stones", type=int, default=1_000_000)
    setup.add_argument("--distinct-records", action="store_true")
    setup.add_argument("--fresh", action="store_true", help="drop and rebuild even if present")

    load = commands.add_parser("load", help="paired wrk runs: bare vs lookup and screen")
    load.add_argument("--database", default="clearstone_bench")
    load.add_argument("--targets", nargs="+", default=None, help="default: all three")
    load.add_argument("--pairs", type=int, default=3)
    load.add_argument("--seconds", type=int, default=10)
    load.add_argument("--long-seconds", type=int, default=30, help="0: no long runs")
    load.add_argument(
        "--wait-quiet", type=float, default=0, help="wait up to this long for load average < 1"
    )
    load.add_argument("--port", type=int, default=8765)
    load.add_argument(
        "--env", action="append", default=[], help="KEY=VALUE for the server (settings)"
    )
    load.add_argument("--label", default="run")

    profile = commands.add_parser("profile", help="py-spy under wrk load: time per component")
    profile.add_argument("--database", default="clearstone_bench")
    profile.add_argument("--targets", nargs="+", default=["bare", "lookup-uniform", "screen"])
    profile.add_argument("--seconds", type=int, default=15)
    profile.add_argument("--port", type=int, default=8765)
    profile.add_argument("--env", action="append", default=[], help="KEY=VALUE for the server")
    profile.add_argument("--label", default="run")

    latency = commands.add_parser("latency", help="open-loop p50/p99/p99.9 at a fixed rate")
    latency.add_argument("--database", default="clearstone_bench")
    latency.add_argument("--fraction", type=float, default=0.5, help="of the lookup's capacity")
    latency.add_argument("--seconds", type=int, default=20)
    latency.add_argument("--capacity-seconds", type=int, default=10)
    latency.add_argument("--pairs", type=int, default=2)
    latency.add_argument("--port", type=int, default=8765)
    latency.add_argument("--label", default="run")

    reassess = commands.add_parser(
        "reassess", help="time the re-assessment after an incident on 1..N worker processes"
    )
    reassess.add_argument("--database", default="clearstone_bench_distinct")
    reassess.add_argument(
        "--country", default="IN", help="IN: every synthetic stone's chain passes through it"
    )
    reassess.add_argument(
        "--workers", type=int, nargs="+", default=[1, 2], help="worker processes, one run each"
    )
    reassess.add_argument(
        "--profile", type=int, default=0, help="first profile N stones in this process"
    )
    reassess.add_argument("--wait-quiet", type=float, default=0)
    reassess.add_argument("--timeout", type=float, default=3600)

    generate = commands.add_parser(
        "generate", help="bulk-load synthetic stones into the configured database"
    )
    generate.add_argument("--stones", type=int, required=True)
    generate.add_argument("--batch-size", type=int, default=20_000)

    args = parser.parse_args()
    if args.command == "generate":
        from bench.api.synthetic import generate_into_configured_database

        generate_into_configured_database(args.stones, args.batch_size)
    elif args.command == "setup":
        from bench.api.setup import setup as run_setup

        run_setup(
            args.database,
            args.stones,
            distinct_records=args.distinct_records,
            fresh=args.fresh,
            results=RESULTS,
        )
    elif args.command == "load":
        from bench.api.load import TARGETS, run_load

        run_load(
            args.database,
            targets=args.targets or TARGETS,
            pairs=args.pairs,
            seconds=args.seconds,
            long_seconds=args.long_seconds,
            wait_quiet=args.wait_quiet,
            port=args.port,
            env=dict(item.split("=", 1) for item in args.env),
            label=args.label,
            results=RESULTS,
        )
    elif args.command == "profile":
        from bench.api.profile import run_profile

        run_profile(
            args.database,
            targets=args.targets,
            seconds=args.seconds,
            port=args.port,
            env=dict(item.split("=", 1) for item in args.env),
            label=args.label,
            results=RESULTS,
        )
    elif args.command == "latency":
        from bench.api.latency import run_latency

        run_latency(
            args.database,
            fraction=args.fraction,
            seconds=args.seconds,
            capacity_seconds=args.capacity_seconds,
            pairs=args.pairs,
            port=args.port,
            label=args.label,
            results=RESULTS,
        )
    elif args.command == "reassess":
        from bench.api.reassess import run_reassess

        run_reassess(
            args.database,
            args.country,
            workers=args.workers,
            profile=args.profile,
            wait_quiet=args.wait_quiet,
            timeout=args.timeout,
            results=RESULTS,
        )


if __name__ == "__main__":
    main()
