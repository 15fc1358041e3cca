"""``clearstone-api context``: refresh the context layers from the publishers' own files.

Each load prints the row-by-row diff against the layer in force and stores nothing; run it again
with ``--apply --note ...`` to record it as a reference change and re-assess the stones it
touches. Example::

    clearstone-api context load-cahra cahra.json --effective 2026-06-27
    clearstone-api context load-cahra cahra.json --effective 2026-06-27 --apply --note "June 2026"
    clearstone-api context load-ucdp GEDEvent_v26_1.csv --version 26.1 --apply --note "GED 26.1"

``clearstone-api release-reference`` records newly shipped reference files the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import getpass
from collections.abc import Callable
from pathlib import Path
from typing import Any

from clearstone_api.container import AppContainer
from clearstone_api.domain.context_loading import LoadError
from clearstone_api.domain.reference import Reference
from clearstone_api.models.reference_change import ReferenceChange
from clearstone_api.reassess_cli import container_for_runs, follow_runs
from clearstone_api.services.context_changes import (
    LayerLoad,
    prepare_cahra,
    prepare_ucdp,
    record_layer_change,
)
from clearstone_api.services.reassessment_runs import start_run
from clearstone_api.services.reference_releases import record_release
from clearstone_api.services.unit_of_work import UnitOfWork, unit_of_work
from clearstone_api.settings import Settings

__all__ = ["add_context_commands", "run_context", "run_release"]


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def _load(settings: Settings, args: argparse.Namespace) -> None:
    if args.apply and not args.note:
        raise SystemExit("--apply needs --note: say why the layer changes (kept in the audit)")
    text = Path(args.file).read_text(encoding="utf-8")
    container = container_for_runs(settings)
    try:
        with unit_of_work(container.database) as uow:
            current = container.references.current(uow.session)
            try:
                load: LayerLoad = args.prepare(current, text, args)
            except LoadError as exc:
                raise SystemExit(f"{args.file}: {exc}") from exc
            print(f"{load.file} from {load.label} ({args.file}):")
            for line in load.diff.lines():
                print(f"  {line}")
            if load.diff.empty:
                print("nothing to change")
                return
            if not args.apply:
                print("not applied: review the diff, then run again with --apply --note '...'")
                return
            change = record_layer_change(
                uow.session, f"cli:{getpass.getuser()}", current, load, args.note
            )
            run = _start(uow, container, change)
            print(f"recorded reference change {change.id} (version {change.version})")
        follow_runs(container, [run])
        print(f"re-assessed the stones reference change {change.id} reaches")
    finally:
        asyncio.run(container.aclose())


def _start(uow: UnitOfWork, container: AppContainer, change: ReferenceChange) -> int:
    """A re-assessment run for ``change``, in its transaction."""
    assert change.id is not None
    run = start_run(
        uow,
        container.jobs,
        reason="reference_change",
        change_id=change.id,
        batch_size=container.settings.reassessment_batch_size,
    )
    assert run.id is not None
    return run.id


def _cahra(reference: Reference, text: str, args: argparse.Namespace) -> LayerLoad:
    return prepare_cahra(
        reference, text, effective=args.effective, retrieved_at=args.retrieved or dt.date.today()
    )


def _ucdp(reference: Reference, text: str, args: argparse.Namespace) -> LayerLoad:
    return prepare_ucdp(
        reference,
        text,
        dataset_version=args.version,
        retrieved_at=args.retrieved or dt.date.today(),
    )


def add_context_commands(
    commands: Any, run: Callable[[Settings, argparse.Namespace], None]
) -> None:
    """Add ``context load-cahra`` and ``context load-ucdp`` to ``commands`` (the CLI's
    subparsers), with ``run`` as their entry point."""
    context = commands.add_parser(
        "context", help="refresh a context layer from a publisher's file (diff, then --apply)"
    )
    loaders = context.add_subparsers(dest="loader", required=True)
    cahra = loaders.add_parser("load-cahra", help="the EU CAHRA list's export (JSON)")
    cahra.add_argument("file")
    cahra.add_argument(
        "--effective",
        type=_date,
        required=True,
        help="the list's publication date: new areas open and delisted areas close on it",
    )
    cahra.set_defaults(prepare=_cahra)
    ucdp = loaders.add_parser("load-ucdp", help="UCDP's Georeferenced Event Dataset (CSV)")
    ucdp.add_argument("file")
    ucdp.add_argument("--version", required=True, help="the GED release, e.g. 26.1")
    ucdp.set_defaults(prepare=_ucdp)
    for loader in (cahra, ucdp):
        loader.add_argument("--retrieved", type=_date, help="when the file was fetched (today)")
        loader.add_argument("--apply", action="store_true", help="record the change")
        loader.add_argument("--note", help="why the layer changes (required with --apply)")
        loader.set_defaults(run=run)


def run_context(settings: Settings, args: argparse.Namespace) -> None:
    """The entry point of ``clearstone-api context ...``."""
    _load(settings, args)


def run_release(settings: Settings) -> None:
    """``clearstone-api release-reference``: record the shipped reference data as a reference
    change (once per version) and re-assess every stone stored under another version."""
    container = container_for_runs(settings)
    try:
        with unit_of_work(container.database) as uow:
            change = record_release(uow.session, container.references.base)
            if change is None:
                print(f"reference data {container.references.base.version} is already released")
                return
            run = _start(uow, container, change)
            print(
                f"released reference data {container.references.base.version} as reference "
                f"change {change.id}"
            )
        (done,) = follow_runs(container, [run], out=lambda _line: None)
        print(f"re-assessed {done.done} stone(s) stored under an earlier version")
    finally:
        asyncio.run(container.aclose())
