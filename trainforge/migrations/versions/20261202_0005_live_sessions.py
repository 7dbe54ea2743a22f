"""Live sessions: attempts, progress, logged sets, replay keys of client writes, recovery cursors.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('client_writes',
    sa.Column('athlete_id', sa.Uuid(), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('result', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['athlete_id'], ['users.id'], name=op.f('fk_client_writes_athlete_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_client_writes_session_id_training_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('athlete_id', 'client_id', name=op.f('pk_client_writes'))
    )
    op.create_index(op.f('ix_client_writes_session_id'), 'client_writes', ['session_id'], unique=False)
    op.create_table('logged_sets',
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('athlete_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('exercise_name', sa.String(length=120), nullable=False),
    sa.Column('reps', sa.SmallInteger(), nullable=True),
    sa.Column('load_kg', sa.Float(), nullable=True),
    sa.Column('duration_seconds', sa.Integer(), nullable=True),
    sa.Column('rpe', sa.Float(), nullable=True),
    sa.Column('device', sa.String(length=120), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('logged_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['athlete_id'], ['users.id'], name=op.f('fk_logged_sets_athlete_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_logged_sets_session_id_training_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_logged_sets'))
    )
    op.create_index('ix_logged_sets_athlete_exercise', 'logged_sets', ['athlete_id', 'exercise_name', 'logged_at'], unique=False)
    op.create_index('ix_logged_sets_session_position', 'logged_sets', ['session_id', 'position', 'logged_at'], unique=False)
    op.create_table('session_attempts',
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('device', sa.String(length=120), nullable=False),
    sa.Column('status', sa.Enum('not_started', 'in_progress', 'completed', name='attempt_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('duration_seconds', sa.Integer(), nullable=True),
    sa.Column('exercises_completed', sa.SmallInteger(), nullable=False),
    sa.Column('total_exercises', sa.SmallInteger(), nullable=False),
    sa.Column('rest_period_seconds', sa.SmallInteger(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('ended_at IS NULL OR ended_at >= started_at', name=op.f('ck_session_attempts_times_ordered')),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_session_attempts_session_id_training_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_attempts'))
    )
    op.create_index('ix_session_attempts_session_started', 'session_attempts', ['session_id', 'started_at'], unique=False)
    op.create_table('session_cursors',
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('athlete_id', sa.Uuid(), nullable=False),
    sa.Column('device', sa.String(length=120), nullable=False),
    sa.Column('exercise_position', sa.SmallInteger(), nullable=False),
    sa.Column('set_number', sa.SmallInteger(), nullable=False),
    sa.Column('state', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('octet_length(state) <= 65536', name=op.f('ck_session_cursors_state_size')),
    sa.ForeignKeyConstraint(['athlete_id'], ['users.id'], name=op.f('fk_session_cursors_athlete_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_session_cursors_session_id_training_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', name=op.f('pk_session_cursors'))
    )
    op.create_index(op.f('ix_session_cursors_athlete_id'), 'session_cursors', ['athlete_id'], unique=False)
    op.create_table('session_progress',
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('athlete_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('items', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('last_device', sa.String(length=120), nullable=True),
    sa.Column('last_written_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('version >= 1', name=op.f('ck_session_progress_version_positive')),
    sa.ForeignKeyConstraint(['athlete_id'], ['users.id'], name=op.f('fk_session_progress_athlete_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_session_progress_session_id_training_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_progress')),
    sa.UniqueConstraint('session_id', name=op.f('uq_session_progress_session_id'))
    )
    op.execute(
        "CREATE TRIGGER session_progress_updated_at BEFORE UPDATE ON session_progress "
        "FOR EACH ROW EXECUTE FUNCTION trainforge_set_updated_at()"
    )


def downgrade() -> None:
    op.drop_table('session_progress')
    op.drop_index(op.f('ix_session_cursors_athlete_id'), table_name='session_cursors')
    op.drop_table('session_cursors')
    op.drop_index('ix_session_attempts_session_started', table_name='session_attempts')
    op.drop_table('session_attempts')
    op.drop_index('ix_logged_sets_session_position', table_name='logged_sets')
    op.drop_index('ix_logged_sets_athlete_exercise', table_name='logged_sets')
    op.drop_table('logged_sets')
    op.drop_index(op.f('ix_client_writes_session_id'), table_name='client_writes')
    op.drop_table('client_writes')
