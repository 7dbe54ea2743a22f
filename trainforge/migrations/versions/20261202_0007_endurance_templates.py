"""Endurance templates (steps and repeat blocks), and the template a training session was made from.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('endurance_templates',
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('sport', sa.Enum('run', 'ride', 'swim', 'row', 'other', name='sport', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('phase', sa.Enum('general_preparation', 'accumulation', 'intensification', 'realization', 'hypertrophy', 'strength', 'power', 'base', 'build', 'peak', 'taper', 'transition', name='mesocycle_phase', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('focus_block', sa.String(length=120), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('content', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_endurance_templates_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_endurance_templates'))
    )
    op.create_index('ix_endurance_templates_owner_created', 'endurance_templates', ['owner_id', 'created_at', 'id'], unique=False)
    op.add_column('training_sessions', sa.Column('endurance_template_id', sa.Uuid(), nullable=True))
    op.create_index(op.f('ix_training_sessions_endurance_template_id'), 'training_sessions', ['endurance_template_id'], unique=False)
    op.create_foreign_key(op.f('fk_training_sessions_endurance_template_id_endurance_templates'), 'training_sessions', 'endurance_templates', ['endurance_template_id'], ['id'], ondelete='SET NULL')
    op.execute(
        "CREATE TRIGGER endurance_templates_updated_at BEFORE UPDATE ON endurance_templates "
        "FOR EACH ROW EXECUTE FUNCTION trainforge_set_updated_at()"
    )


def downgrade() -> None:
    op.drop_constraint(op.f('fk_training_sessions_endurance_template_id_endurance_templates'), 'training_sessions', type_='foreignkey')
    op.drop_index(op.f('ix_training_sessions_endurance_template_id'), table_name='training_sessions')
    op.drop_column('training_sessions', 'endurance_template_id')
    op.drop_index('ix_endurance_templates_owner_created', table_name='endurance_templates')
    op.drop_table('endurance_templates')
