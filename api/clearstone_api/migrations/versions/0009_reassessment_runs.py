"""reassessment runs

Re-assessment as jobs: a run per reference change or sweep of stale verdicts, and its batches
(one job each; ``done_at`` makes a second run of a job a no-op). Reference changes recorded
before this revision and not yet re-assessed get their run from the periodic sweep.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 07:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('reassessment_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('change_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('batch_size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['change_id'], ['reference_changes.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_reassessment_runs_change_id'), 'reassessment_runs', ['change_id'], unique=False)
    op.create_table('reassessment_batches',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('stone_ids', sa.JSON(), nullable=False),
    sa.Column('stones', sa.Integer(), nullable=False),
    sa.Column('changed', sa.Integer(), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['reassessment_runs.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'seq')
    )


def downgrade() -> None:
    op.drop_table('reassessment_batches')
    op.drop_index(op.f('ix_reassessment_runs_change_id'), table_name='reassessment_runs')
    op.drop_table('reassessment_runs')
