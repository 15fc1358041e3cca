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
import datetime as dt
import getpass
from collections.abc import Callable
from pathlib import Path
from typing import Any

from clearstone_api.db import Database
from clearstone_api.domain.context_loading import LoadError
from clearstone_api.domain.reference import Reference
from clearstone_api.models.reference_change import ReferenceChange
from clearstone_api.services.attestations import Attester
from clearstone_api.services.context_changes import (
    LayerLoad,
    prepare_cahra,
    prepare_ucdp,
    record_layer_change,
)
from clearstone_api.services.reference_changes import run_reassessment
from clearstone_api.services.reference_releases import record_release
from clearstone_api.services.reference_store import ReferenceStore
from clearstone_api.settings import Settings

__all__ = ["add_context_commands", "run_context", "run_release"]


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def _load(settings: Settings, args: argparse.Namespace, attester: Attester) -> None:
    if args.apply and not args.note:
        raise SystemExit("--apply needs --note: say why the layer changes (kept in the audit)")
    text = Path(args.file).read_text(encoding="utf-8")
    database = Database.from_settings(settings)
    store = ReferenceStore(settings.reference_dir)
    try:
        with database.session() as session:
            current = store.current(session)
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
                session, f"cli:{getpass.getuser()}", current, load, args.note
            )
            change_id = change.id
            print(f"recorded reference change {change_id} (version {change.version})")
        if change_id is not None:
            run_reassessment(database, store, attester, change_id, settings.reassessment_batch_size)
            print(f"re-assessed the stones reference change {change_id} reaches")
    finally:
        database.engine.dispose()


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


def run_context(settings: Settings, args: argparse.Namespace, attester: Attester) -> None:
    """The entry point of ``clearstone-api context ...``."""
    _load(settings, args, attester)


def run_release(settings: Settings, attester: Attester) -> None:
    """``clearstone-api release-reference``: record the shipped reference data as a reference
    change (once per version) and re-assess every stone stored under another version."""
    database = Database.from_settings(settings)
    store = ReferenceStore(settings.reference_dir)
    try:
        with database.session() as session:
            change = record_release(session, store.base)
            change_id = change.id if change is not None else None
        if change_id is None:
            print(f"reference data {store.base.version} is already released")
            return
        print(f"released reference data {store.base.version} as reference change {change_id}")
        run_reassessment(database, store, attester, change_id, settings.reassessment_batch_size)
        with database.session() as session:
            done = session.get(ReferenceChange, change_id)
            count = done.stones_reassessed if done is not None else 0
        print(f"re-assessed {count} stone(s) stored under an earlier version")
    finally:
        database.engine.dispose()
