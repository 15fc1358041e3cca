"""``clearstone-api purge-events`` (the change feed's retention; run it daily) and
``clearstone-api deliver-webhooks`` (every webhook delivery that is due; run it every minute),
the same functions the job queue's periodic tasks call, for a deployment that runs them from cron.
"""

from __future__ import annotations

import argparse
from typing import Any

from clearstone_api.db import Database
from clearstone_api.services.event_feed import purge_events
from clearstone_api.services.webhook_dispatch import deliver_due
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


def _deliver(settings: Settings, args: argparse.Namespace) -> None:
    database = Database.from_settings(settings)
    try:
        attempted = deliver_due(database, settings, limit=args.limit)
    finally:
        database.engine.dispose()
    print(f"attempted {attempted} due webhook deliver{'y' if attempted == 1 else 'ies'}")


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
    deliver = commands.add_parser(
        "deliver-webhooks", help="send every webhook delivery that is due (run every minute)"
    )
    deliver.add_argument("--limit", type=int, default=1000, help="at most this many per run")
    deliver.set_defaults(run=_deliver)
