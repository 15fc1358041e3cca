"""``clearstone-api purge-events``: the change feed's retention, as a command (run it daily, or
let the job queue's periodic task call :func:`~clearstone_api.services.event_feed.purge_events`).
"""

from __future__ import annotations

import argparse
from typing import Any

from clearstone_api.db import Database
from clearstone_api.services.event_feed import purge_events
from clearstone_api.settings import Settings

__all__ = ["add_event_commands"]


def _purge(settings: Settings, args: argparse.Namespace) -> None:
    database = Database.from_settings(settings)
    try:
        days = args.days or settings.event_retention_days
        deleted = purge_events(database, days)
    finally:
        database.engine.dispose()
    print(f"purged {deleted} event(s) older than {max(days, 30)} days")


def add_event_commands(commands: Any) -> None:
    """Add the change feed's commands to ``commands`` (the CLI's subparsers)."""
    purge = commands.add_parser(
        "purge-events", help="delete events older than the retention period (run daily)"
    )
    purge.add_argument(
        "--days",
        type=int,
        default=None,
        help="keep this many days (at least 30; default CLEARSTONE_EVENT_RETENTION_DAYS)",
    )
    purge.set_defaults(run=_purge)
