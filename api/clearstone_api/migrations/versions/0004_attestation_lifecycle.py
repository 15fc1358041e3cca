"""attestation lifecycle

Every issued attestation, with its per-stone sequence number, expiry, and whether it was
superseded or revoked.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 05:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('attestations',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('stone_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('token', sa.Text(), nullable=False),
    sa.Column('superseded_by', sa.String(length=32), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revocation_reason', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['stone_id'], ['stones.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('stone_id', 'seq', name='uq_attestations_stone_seq')
    )
    with op.batch_alter_table('attestations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attestations_stone_id'), ['stone_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attestations_superseded_by'), ['superseded_by'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('attestations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attestations_superseded_by'))
        batch_op.drop_index(batch_op.f('ix_attestations_stone_id'))
    op.drop_table('attestations')
