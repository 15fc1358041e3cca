"""stone screenings

The retailer tenants that screened each stone at checkout, so that they may read the stone's
sanctions evidence pack.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 05:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('stone_screenings',
    sa.Column('stone_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('first_screened_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['stone_id'], ['stones.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('stone_id', 'tenant_id')
    )


def downgrade() -> None:
    op.drop_table('stone_screenings')
