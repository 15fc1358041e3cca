"""job queue

procrastinate's tables, types and functions (PostgreSQL only: on SQLite the queue is in memory,
inside the serving process). The SQL is the installed procrastinate's own schema; a later
procrastinate release that changes it ships migration files, applied by a revision of ours
(docs/operations.md, Workers).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 07:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op
from procrastinate.schema import SchemaManager

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = (
    'procrastinate_periodic_defers',
    'procrastinate_events',
    'procrastinate_jobs',
    'procrastinate_workers',
)
_TYPES = ('procrastinate_job_to_defer_v1', 'procrastinate_job_event_type', 'procrastinate_job_status')


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    # Through the driver, without parameters: the schema is many statements and holds '%'.
    bind.connection.driver_connection.execute(SchemaManager.get_schema())


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    driver = bind.connection.driver_connection
    functions = driver.execute(
        "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n "
        "ON n.oid = p.pronamespace WHERE n.nspname = current_schema() "
        "AND p.proname LIKE 'procrastinate\\_%'"
    ).fetchall()
    for table in _TABLES:
        driver.execute(f'DROP TABLE IF EXISTS {table} CASCADE')
    for (signature,) in functions:
        driver.execute(f'DROP FUNCTION IF EXISTS {signature} CASCADE')
    for type_name in _TYPES:
        driver.execute(f'DROP TYPE IF EXISTS {type_name} CASCADE')
