"""custody transparency log

The custody log as an RFC 9162 Merkle tree: every event's leaf index, the stored complete
subtrees, and the signed tree heads.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 04:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('custody_tree_nodes',
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('idx', sa.BigInteger(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('level', 'idx')
    )
    op.create_table('custody_tree_heads',
    sa.Column('tree_size', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('root_hash', sa.String(length=64), nullable=False),
    sa.Column('timestamp', sa.BigInteger(), nullable=False),
    sa.Column('signature', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tree_size')
    )
    # Nullable: events appended before this revision are outside the log until
    # `clearstone-api anchor-custody-log` enters them, in the order they were appended.
    with op.batch_alter_table('custody_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('log_index', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_custody_events_log_index'), ['log_index'])


def downgrade() -> None:
    with op.batch_alter_table('custody_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_custody_events_log_index'), type_='unique')
        batch_op.drop_column('log_index')
    op.drop_table('custody_tree_heads')
    op.drop_table('custody_tree_nodes')
