"""``clearstone-api``: migrate, load the demo, serve, and generate benchmark data.

Example::

    clearstone-api migrate && clearstone-api load-demo && clearstone-api serve --port 8000
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

from sqlmodel import col, select

from clearstone_api.db import Database
from clearstone_api.models.reference_change import ReferenceChange
from clearstone_api.schema import upgrade
from clearstone_api.services.demo import load_demo
from clearstone_api.services.reference_changes import run_reassessment
from clearstone_api.services.reference_store import ReferenceStore
from clearstone_api.services.synthetic import generate_synthetic
from clearstone_api.settings import Settings

__all__ = ["main"]


def _migrate(settings: Settings, _args: argparse.Namespace) -> None:
    upgrade(settings)
    print(f"migrated {settings.url.split('@')[-1]} to head")


def _load_demo(settings: Settings, _args: argparse.Namespace) -> None:
    database = Database.from_settings(settings)
    try:
        loaded, present = load_demo(database, ReferenceStore(settings.reference_dir))
    finally:
        database.engine.dispose()
    print(f"demo data: {loaded} records loaded, {present} already present")


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    from clearstone_api.app import create_app

    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        access_log=settings.access_log,
        log_level="info",
    )


def _generate(settings: Settings, args: argparse.Namespace) -> None:
    database = Database.from_settings(settings)
    started = time.perf_counter()
    try:
        generate_synthetic(
            database,
            ReferenceStore(settings.reference_dir),
            args.stones,
            batch_size=args.batch_size,
            progress=lambda done: print(f"  {done:,} stones", flush=True),
        )
    finally:
        database.engine.dispose()
    print(f"generated {args.stones:,} synthetic stones in {time.perf_counter() - started:.1f}s")


def _reassess(settings: Settings, _args: argparse.Namespace) -> None:
    database = Database.from_settings(settings)
    store = ReferenceStore(settings.reference_dir)
    try:
        with database.session() as session:
            pending = session.exec(
                select(ReferenceChange.id)
                .where(ReferenceChange.reassessment_state != "done")
                .order_by(col(ReferenceChange.id))
            ).all()
        for change_id in pending:
            if change_id is not None:
                run_reassessment(database, store, change_id, settings.reassessment_batch_size)
                print(f"re-assessed for reference change {change_id}")
    finally:
        database.engine.dispose()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="clearstone-api", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="migrate the database to the latest schema").set_defaults(
        run=_migrate
    )
    commands.add_parser("load-demo", help="load the demo stones (idempotent)").set_defaults(
        run=_load_demo
    )
    serve = commands.add_parser("serve", help="serve the API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(run=_serve)
    generate = commands.add_parser(
        "generate-synthetic", help="bulk-load synthetic stones for benchmarks"
    )
    generate.add_argument("--stones", type=int, required=True)
    generate.add_argument("--batch-size", type=int, default=20_000)
    generate.set_defaults(run=_generate)
    commands.add_parser(
        "reassess", help="finish re-assessments left pending by reference-data changes"
    ).set_defaults(run=_reassess)
    args = parser.parse_args(argv)
    args.run(Settings(), args)


if __name__ == "__main__":
    main()
