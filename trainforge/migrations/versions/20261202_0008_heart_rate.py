"""Heart-rate samples of training sessions, a batch per row (two parallel arrays).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('heart_rate_batches',
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('athlete_id', sa.Uuid(), nullable=False),
    sa.Column('device', sa.String(length=120), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('samples', sa.Integer(), nullable=False),
    sa.Column('offsets_ms', sa.ARRAY(sa.Integer()), nullable=False),
    sa.Column('bpm', sa.ARRAY(sa.SmallInteger()), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('cardinality(offsets_ms) = samples AND cardinality(bpm) = samples', name=op.f('ck_heart_rate_batches_arrays_match')),
    sa.CheckConstraint('ended_at >= started_at', name=op.f('ck_heart_rate_batches_times_ordered')),
    sa.CheckConstraint('samples BETWEEN 1 AND 10000', name=op.f('ck_heart_rate_batches_samples_range')),
    sa.ForeignKeyConstraint(['athlete_id'], ['users.id'], name=op.f('fk_heart_rate_batches_athlete_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_heart_rate_batches_session_id_training_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_heart_rate_batches'))
    )
    op.create_index(op.f('ix_heart_rate_batches_athlete_id'), 'heart_rate_batches', ['athlete_id'], unique=False)
    op.create_index('ix_heart_rate_batches_session_start', 'heart_rate_batches', ['session_id', 'started_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_heart_rate_batches_session_start', table_name='heart_rate_batches')
    op.drop_index(op.f('ix_heart_rate_batches_athlete_id'), table_name='heart_rate_batches')
    op.drop_table('heart_rate_batches')
