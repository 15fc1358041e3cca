"""clients and attestations

Registered API clients (client-credentials grant) and the signed attestation stored beside each
assessment's public view.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('clients',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('scopes', sa.String(length=1000), nullable=False),
    sa.Column('secret_hash', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clients_tenant_id'), ['tenant_id'], unique=False)

    # Nullable: rows stored before this revision have no attestation until
    # `clearstone-api sign-attestations` (or their next re-assessment) signs them.
    with op.batch_alter_table('stone_assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attestation', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('stone_assessments', schema=None) as batch_op:
        batch_op.drop_column('attestation')

    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clients_tenant_id'))

    op.drop_table('clients')
