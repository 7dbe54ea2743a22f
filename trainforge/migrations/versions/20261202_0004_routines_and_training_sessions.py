"""Routines with immutable versions, assignments, and training sessions.

A program workout's status now comes from its training session: the
`workout_instances.status` column goes. Its completed and skipped workouts
become sessions of that status (the snapshot is the workout as it is; a
completed one gets an empty performance log, as nothing was logged), so no
recorded outcome is lost. The downgrade writes those statuses back.

Two triggers make immutability a property of the database, not only of the
code: a routine version is never updated, and a session's workout snapshot
never changes once written.

`workout_instances_status(workout)` answers a workout's status in SQL (its
session's, else 'planned'): the compiled reads use it, and tools reading the
database (PostGraphile exposes it as `WorkoutInstance.status`) see the same
status without knowing the join. It is the one definition, not a copy.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# One statement each: asyncpg prepares what it runs.
IMMUTABLE_FUNCTIONS = ("""
CREATE OR REPLACE FUNCTION trainforge_refuse_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% rows are immutable', TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql
""", """
CREATE OR REPLACE FUNCTION trainforge_keep_snapshot() RETURNS trigger AS $$
BEGIN
    IF NEW.workout_snapshot IS DISTINCT FROM OLD.workout_snapshot THEN
        RAISE EXCEPTION 'a session''s workout snapshot is immutable' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql
""")

WORKOUT_STATUS_FUNCTION = """
CREATE FUNCTION workout_instances_status(w workout_instances) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT s.status FROM training_sessions s WHERE s.program_workout_id = w.id), 'planned')
$$
"""

# A workout as a WorkoutSnapshot (models/training_content.py): its prescription as one section.
SNAPSHOT_SQL = """jsonb_strip_nulls(jsonb_build_object(
    'name', w.name, 'duration_minutes', w.duration_minutes, 'notes', w.notes,
    'sections', CASE WHEN jsonb_array_length(coalesce(w.prescription -> 'exercises', '[]')) > 0
        THEN jsonb_build_array(jsonb_strip_nulls(jsonb_build_object(
            'name', 'Main', 'exercises', w.prescription -> 'exercises', 'notes', w.prescription -> 'notes')))
        ELSE '[]'::jsonb END))"""


def upgrade() -> None:
    op.create_table('routines',
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('latest_version', sa.SmallInteger(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_routines_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routines'))
    )
    op.create_index('ix_routines_owner_created', 'routines', ['owner_id', 'created_at', 'id'], unique=False)
    op.create_table('routine_versions',
    sa.Column('routine_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.SmallInteger(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('routine_type', sa.Enum('strength', 'running', 'trail_running', 'mixed', name='routine_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('objective', sa.Text(), nullable=True),
    sa.Column('content', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('version >= 1', name=op.f('ck_routine_versions_version_positive')),
    sa.ForeignKeyConstraint(['routine_id'], ['routines.id'], name=op.f('fk_routine_versions_routine_id_routines'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routine_versions'))
    )
    op.create_index('uq_routine_versions_routine_version', 'routine_versions', ['routine_id', 'version'], unique=True)
    op.create_table('routine_assignments',
    sa.Column('routine_id', sa.Uuid(), nullable=False),
    sa.Column('routine_version_id', sa.Uuid(), nullable=False),
    sa.Column('athlete_id', sa.Uuid(), nullable=False),
    sa.Column('assigned_by_id', sa.Uuid(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('weekdays', sa.ARRAY(sa.SmallInteger()), nullable=False),
    sa.Column('times', sa.ARRAY(sa.Time()), nullable=False),
    sa.Column('status', sa.Enum('active', 'replaced', name='assignment_status', native_enum=False, create_constraint=True, length=32), server_default='active', nullable=False),
    sa.Column('replaced_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('cardinality(weekdays) BETWEEN 1 AND 7', name=op.f('ck_routine_assignments_weekdays_count')),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name=op.f('ck_routine_assignments_dates_ordered')),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_routine_assignments_assigned_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['athlete_id'], ['users.id'], name=op.f('fk_routine_assignments_athlete_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['replaced_by_id'], ['routine_assignments.id'], name=op.f('fk_routine_assignments_replaced_by_id_routine_assignments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['routine_id'], ['routines.id'], name=op.f('fk_routine_assignments_routine_id_routines'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['routine_version_id'], ['routine_versions.id'], name=op.f('fk_routine_assignments_routine_version_id_routine_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routine_assignments'))
    )
    op.create_index(op.f('ix_routine_assignments_assigned_by_id'), 'routine_assignments', ['assigned_by_id'], unique=False)
    op.create_index('ix_routine_assignments_athlete_created', 'routine_assignments', ['athlete_id', 'created_at', 'id'], unique=False)
    op.create_index(op.f('ix_routine_assignments_replaced_by_id'), 'routine_assignments', ['replaced_by_id'], unique=False)
    op.create_index(op.f('ix_routine_assignments_routine_id'), 'routine_assignments', ['routine_id'], unique=False)
    op.create_index(op.f('ix_routine_assignments_routine_version_id'), 'routine_assignments', ['routine_version_id'], unique=False)
    op.create_table('training_sessions',
    sa.Column('athlete_id', sa.Uuid(), nullable=False),
    sa.Column('source', sa.Enum('program_workout', 'routine_assignment', 'endurance_template', 'prescription', name='plan_source', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('program_workout_id', sa.Uuid(), nullable=True),
    sa.Column('routine_id', sa.Uuid(), nullable=True),
    sa.Column('routine_version_id', sa.Uuid(), nullable=True),
    sa.Column('assignment_id', sa.Uuid(), nullable=True),
    sa.Column('scheduled_date', sa.Date(), nullable=False),
    sa.Column('scheduled_time', sa.Time(), nullable=True),
    sa.Column('kind', sa.Enum('strength', 'endurance', 'mixed', name='session_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('draft', 'scheduled', 'in_progress', 'completed', 'skipped', 'cancelled', name='session_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('duration_seconds', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('workout_snapshot', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('performance_log', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("(status = 'completed') = (performance_log IS NOT NULL)", name=op.f('ck_training_sessions_log_when_completed')),
    sa.CheckConstraint('completed_at IS NULL OR started_at IS NULL OR completed_at >= started_at', name=op.f('ck_training_sessions_times_ordered')),
    sa.CheckConstraint('duration_seconds IS NULL OR duration_seconds BETWEEN 0 AND 86400', name=op.f('ck_training_sessions_duration_range')),
    sa.ForeignKeyConstraint(['assignment_id'], ['routine_assignments.id'], name=op.f('fk_training_sessions_assignment_id_routine_assignments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['athlete_id'], ['users.id'], name=op.f('fk_training_sessions_athlete_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_workout_id'], ['workout_instances.id'], name=op.f('fk_training_sessions_program_workout_id_workout_instances'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['routine_id'], ['routines.id'], name=op.f('fk_training_sessions_routine_id_routines'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['routine_version_id'], ['routine_versions.id'], name=op.f('fk_training_sessions_routine_version_id_routine_versions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_sessions'))
    )
    op.create_index('ix_training_sessions_assignment_date', 'training_sessions', ['assignment_id', 'scheduled_date'], unique=False)
    op.create_index('ix_training_sessions_athlete_date', 'training_sessions', ['athlete_id', 'scheduled_date', 'id'], unique=False)
    op.create_index(op.f('ix_training_sessions_routine_id'), 'training_sessions', ['routine_id'], unique=False)
    op.create_index(op.f('ix_training_sessions_routine_version_id'), 'training_sessions', ['routine_version_id'], unique=False)
    op.create_index('uq_training_sessions_program_workout', 'training_sessions', ['program_workout_id'], unique=True, postgresql_where='program_workout_id IS NOT NULL')
    for table in ("routines", "routine_assignments", "training_sessions"):
        op.execute(
            f"CREATE TRIGGER {table}_updated_at BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION trainforge_set_updated_at()"
        )
    for function in IMMUTABLE_FUNCTIONS:
        op.execute(function)
    op.execute(
        "CREATE TRIGGER routine_versions_immutable BEFORE UPDATE ON routine_versions "
        "FOR EACH ROW EXECUTE FUNCTION trainforge_refuse_update()"
    )
    op.execute(
        "CREATE TRIGGER training_sessions_snapshot_immutable BEFORE UPDATE OF workout_snapshot ON training_sessions "
        "FOR EACH ROW EXECUTE FUNCTION trainforge_keep_snapshot()"
    )
    op.execute(WORKOUT_STATUS_FUNCTION)
    # Outcomes recorded on workouts become their sessions.
    op.execute(f"""
        INSERT INTO training_sessions (id, athlete_id, source, program_workout_id, scheduled_date, kind, status,
                                       completed_at, workout_snapshot, performance_log)
        SELECT gen_random_uuid(), p.athlete_id, 'program_workout', w.id, w.scheduled_date,
               CASE w.workout_type WHEN 'endurance' THEN 'endurance' WHEN 'conditioning' THEN 'mixed'
                    ELSE 'strength' END,
               w.status,
               CASE WHEN w.status = 'completed' THEN w.updated_at END,
               {SNAPSHOT_SQL},
               CASE WHEN w.status = 'completed' THEN '{{"exercises": []}}'::jsonb END
        FROM workout_instances w
        JOIN microcycles c ON c.id = w.microcycle_id
        JOIN mesocycles m ON m.id = c.mesocycle_id
        JOIN macrocycles a ON a.id = m.macrocycle_id
        JOIN fitness_programs p ON p.id = a.program_id
        WHERE w.status IN ('completed', 'skipped')
    """)
    op.drop_column('workout_instances', 'status')


def downgrade() -> None:
    op.add_column('workout_instances', sa.Column('status', sa.Enum('scheduled', 'completed', 'skipped', name='workout_status', native_enum=False, create_constraint=True, length=32), server_default='scheduled', nullable=False))
    # The statuses the old column can hold; in progress, cancelled and draft read as scheduled.
    op.execute("""
        UPDATE workout_instances w SET status = s.status FROM training_sessions s
        WHERE s.program_workout_id = w.id AND s.status IN ('completed', 'skipped')
    """)
    op.execute("DROP FUNCTION workout_instances_status(workout_instances)")
    op.drop_index('uq_training_sessions_program_workout', table_name='training_sessions', postgresql_where='program_workout_id IS NOT NULL')
    op.drop_index(op.f('ix_training_sessions_routine_version_id'), table_name='training_sessions')
    op.drop_index(op.f('ix_training_sessions_routine_id'), table_name='training_sessions')
    op.drop_index('ix_training_sessions_athlete_date', table_name='training_sessions')
    op.drop_index('ix_training_sessions_assignment_date', table_name='training_sessions')
    op.drop_table('training_sessions')
    op.drop_index(op.f('ix_routine_assignments_routine_version_id'), table_name='routine_assignments')
    op.drop_index(op.f('ix_routine_assignments_routine_id'), table_name='routine_assignments')
    op.drop_index(op.f('ix_routine_assignments_replaced_by_id'), table_name='routine_assignments')
    op.drop_index('ix_routine_assignments_athlete_created', table_name='routine_assignments')
    op.drop_index(op.f('ix_routine_assignments_assigned_by_id'), table_name='routine_assignments')
    op.drop_table('routine_assignments')
    op.drop_index('uq_routine_versions_routine_version', table_name='routine_versions')
    op.drop_table('routine_versions')
    op.drop_index('ix_routines_owner_created', table_name='routines')
    op.drop_table('routines')
    op.execute("DROP FUNCTION IF EXISTS trainforge_keep_snapshot()")
    op.execute("DROP FUNCTION IF EXISTS trainforge_refuse_update()")
