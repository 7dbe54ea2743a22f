"""Wearable devices with sealed credentials; training sessions imported from activity files.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


SOURCES_OLD = "('program_workout', 'routine_assignment', 'endurance_template', 'prescription')"
SOURCES_NEW = "('program_workout', 'routine_assignment', 'endurance_template', 'prescription', 'imported')"


def _plan_sources(values: str) -> None:
    op.drop_constraint(op.f('ck_training_sessions_plan_source'), 'training_sessions', type_='check')
    op.create_check_constraint('plan_source', 'training_sessions', f"source IN {values}")


def upgrade() -> None:
    op.create_table('wearables',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('type', sa.Enum('apple_watch', 'garmin', 'whoop', 'fitbit', 'polar', 'coros', name='wearable_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('model', sa.String(length=120), nullable=True),
    sa.Column('status', sa.Enum('connected', 'disconnected', 'error', name='wearable_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('last_sync_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('credentials', sa.LargeBinary(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_wearables_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wearables'))
    )
    op.create_index('uq_wearables_user_name', 'wearables', ['user_id', 'name'], unique=True)
    op.execute(
        "CREATE TRIGGER wearables_updated_at BEFORE UPDATE ON wearables "
        "FOR EACH ROW EXECUTE FUNCTION trainforge_set_updated_at()"
    )
    _plan_sources(SOURCES_NEW)


def downgrade() -> None:
    op.execute("DELETE FROM training_sessions WHERE source = 'imported'")
    _plan_sources(SOURCES_OLD)
    op.drop_index('uq_wearables_user_name', table_name='wearables')
    op.drop_table('wearables')
