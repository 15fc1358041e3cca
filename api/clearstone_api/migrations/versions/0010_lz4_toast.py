"""lz4 for the large columns

The stored views and their signed attestations are 5-50 KB each and are rewritten for every
stone a re-assessment reaches: PostgreSQL's default TOAST compression (pglz) cost about three
times the rest of the database's work per stone (bench/README.md, re-assessment on workers).
lz4 compresses them several times faster for slightly larger rows. PostgreSQL 14+ built with
lz4 (Debian's and the official images are); elsewhere this revision changes nothing. Values
already stored keep their compression until they are rewritten.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 07:55:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ('stone_assessments', 'public_json'),
    ('stone_assessments', 'attestation'),
    ('attestations', 'token'),
)


def _lz4(bind: sa.Connection) -> bool:
    if bind.dialect.name != 'postgresql':
        return False
    found = bind.execute(
        sa.text(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
            "WHERE name = 'default_toast_compression'"
        )
    ).scalar()
    return bool(found)


def _set(method: str) -> None:
    bind = op.get_bind()
    if not _lz4(bind):
        return
    for table, column in _COLUMNS:
        op.execute(f'ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method}')


def upgrade() -> None:
    _set('lz4')


def downgrade() -> None:
    _set('default')
