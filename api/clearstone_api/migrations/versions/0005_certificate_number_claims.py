"""certificate number claims

Who claims a grading lab's report number, and the lab's word on it: a status on each lookup
number, and one claim row per stone that claims a lab-qualified number (existing lab-qualified
numbers become ``claimed``).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 05:10:00
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SEPARATORS = re.compile(r"[\s._\-]+")


def upgrade() -> None:
    op.create_table('number_claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('digits', sa.String(length=128), nullable=False),
    sa.Column('lab', sa.String(length=64), nullable=False),
    sa.Column('number', sa.String(length=128), nullable=False),
    sa.Column('stone_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['stone_id'], ['stones.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('public_id'),
    sa.UniqueConstraint('key', 'stone_id', name='uq_number_claims_key_stone')
    )
    with op.batch_alter_table('number_claims', schema=None) as batch_op:
        for column in ('key', 'digits', 'lab', 'stone_id', 'status'):
            batch_op.create_index(batch_op.f(f'ix_number_claims_{column}'), [column], unique=False)
    with op.batch_alter_table('stone_numbers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=16), nullable=True))
    # Every lab-qualified number on file becomes a claim of the stone it names.
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT n.key, n.number, n.stone_id, s.tenant_id FROM stone_numbers n "
        "JOIN stones s ON s.id = n.stone_id WHERE n.kind = 'lab_qualified'"
    )).all()
    for index, (key, number, stone_id, tenant) in enumerate(rows):
        lab, _, digits = number.partition("-")
        bind.execute(sa.text(
            "INSERT INTO number_claims (public_id, key, digits, lab, number, stone_id, tenant_id, "
            "status, created_at) VALUES (:p, :k, :d, :l, :n, :s, :t, 'claimed', CURRENT_TIMESTAMP)"
        ), {"p": f"NC-M{index:011d}", "k": key, "d": _SEPARATORS.sub("", digits).upper(),
            "l": lab.upper(), "n": number, "s": stone_id, "t": tenant})
    bind.execute(sa.text(
        "UPDATE stone_numbers SET status = 'claimed' WHERE kind IN ('lab_qualified', 'grading_report')"
    ))


def downgrade() -> None:
    with op.batch_alter_table('stone_numbers', schema=None) as batch_op:
        batch_op.drop_column('status')
    with op.batch_alter_table('number_claims', schema=None) as batch_op:
        for column in ('status', 'stone_id', 'lab', 'digits', 'key'):
            batch_op.drop_index(batch_op.f(f'ix_number_claims_{column}'))
    op.drop_table('number_claims')
