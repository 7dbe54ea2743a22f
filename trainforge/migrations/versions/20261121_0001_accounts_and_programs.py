"""Accounts (users, athlete profiles, coach links) and the periodized program tree.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


TABLES = (
    "users",
    "athlete_profiles",
    "coach_athletes",
    "fitness_programs",
    "macrocycles",
    "mesocycles",
    "microcycles",
    "workout_instances",
)

# updated_at is stamped by the database so writes that bypass the ORM keep it right.
SET_UPDATED_AT = """
CREATE OR REPLACE FUNCTION trainforge_set_updated_at() RETURNS trigger AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table('users',
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.Enum('athlete', 'coach', name='user_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('athlete_profiles',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('sex', sa.Enum('female', 'male', 'other', name='sex', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('max_hr', sa.SmallInteger(), nullable=True),
    sa.Column('resting_hr', sa.SmallInteger(), nullable=True),
    sa.Column('units', sa.Enum('metric', 'imperial', name='units', native_enum=False, create_constraint=True, length=32), server_default='metric', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('max_hr IS NULL OR max_hr BETWEEN 100 AND 250', name=op.f('ck_athlete_profiles_max_hr_range')),
    sa.CheckConstraint('resting_hr IS NULL OR resting_hr BETWEEN 25 AND 120', name=op.f('ck_athlete_profiles_resting_hr_range')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_athlete_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_athlete_profiles'))
    )
    op.create_table('coach_athletes',
    sa.Column('coach_id', sa.Uuid(), nullable=False),
    sa.Column('athlete_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['athlete_id'], ['users.id'], name=op.f('fk_coach_athletes_athlete_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['coach_id'], ['users.id'], name=op.f('fk_coach_athletes_coach_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('coach_id', 'athlete_id', name=op.f('pk_coach_athletes'))
    )
    op.create_index(op.f('ix_coach_athletes_athlete_id'), 'coach_athletes', ['athlete_id'], unique=False)
    op.create_table('fitness_programs',
    sa.Column('athlete_id', sa.Uuid(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('goal', sa.Enum('strength', 'hypertrophy', 'endurance', 'general_fitness', 'competition', name='program_goal', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_fitness_programs_dates_ordered')),
    sa.ForeignKeyConstraint(['athlete_id'], ['users.id'], name=op.f('fk_fitness_programs_athlete_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_fitness_programs_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fitness_programs'))
    )
    op.create_index('ix_fitness_programs_athlete_created', 'fitness_programs', ['athlete_id', 'created_at', 'id'], unique=False)
    op.create_index(op.f('ix_fitness_programs_created_by_id'), 'fitness_programs', ['created_by_id'], unique=False)
    op.create_table('macrocycles',
    sa.Column('program_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('goal', sa.Text(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_macrocycles_dates_ordered')),
    sa.ForeignKeyConstraint(['program_id'], ['fitness_programs.id'], name=op.f('fk_macrocycles_program_id_fitness_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_macrocycles')),
    sa.UniqueConstraint('program_id', 'position', name=op.f('uq_macrocycles_program_id'))
    )
    op.create_table('mesocycles',
    sa.Column('macrocycle_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('phase', sa.Enum('general_preparation', 'accumulation', 'intensification', 'realization', 'hypertrophy', 'strength', 'power', 'base', 'build', 'peak', 'taper', 'transition', name='mesocycle_phase', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('weeks', sa.SmallInteger(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('weekly_targets', postgresql.JSONB(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_mesocycles_dates_ordered')),
    sa.CheckConstraint('weeks BETWEEN 1 AND 52', name=op.f('ck_mesocycles_weeks_range')),
    sa.ForeignKeyConstraint(['macrocycle_id'], ['macrocycles.id'], name=op.f('fk_mesocycles_macrocycle_id_macrocycles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mesocycles')),
    sa.UniqueConstraint('macrocycle_id', 'position', name=op.f('uq_mesocycles_macrocycle_id'))
    )
    op.create_table('microcycles',
    sa.Column('mesocycle_id', sa.Uuid(), nullable=False),
    sa.Column('week_number', sa.SmallInteger(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('is_deload', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('focus', sa.String(length=200), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_microcycles_dates_ordered')),
    sa.CheckConstraint('week_number >= 1', name=op.f('ck_microcycles_week_number_positive')),
    sa.ForeignKeyConstraint(['mesocycle_id'], ['mesocycles.id'], name=op.f('fk_microcycles_mesocycle_id_mesocycles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_microcycles')),
    sa.UniqueConstraint('mesocycle_id', 'week_number', name=op.f('uq_microcycles_mesocycle_id'))
    )
    op.create_table('workout_instances',
    sa.Column('microcycle_id', sa.Uuid(), nullable=False),
    sa.Column('scheduled_date', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('workout_type', sa.Enum('strength', 'hypertrophy', 'power', 'endurance', 'conditioning', 'mobility', 'recovery', 'test', name='workout_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('scheduled', 'completed', 'skipped', name='workout_status', native_enum=False, create_constraint=True, length=32), server_default='scheduled', nullable=False),
    sa.Column('duration_minutes', sa.SmallInteger(), nullable=True),
    sa.Column('prescription', postgresql.JSONB(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('duration_minutes IS NULL OR duration_minutes BETWEEN 1 AND 600', name=op.f('ck_workout_instances_duration_range')),
    sa.ForeignKeyConstraint(['microcycle_id'], ['microcycles.id'], name=op.f('fk_workout_instances_microcycle_id_microcycles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workout_instances'))
    )
    op.create_index('ix_workout_instances_microcycle_date', 'workout_instances', ['microcycle_id', 'scheduled_date'], unique=False)
    op.execute(SET_UPDATED_AT)
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_updated_at BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION trainforge_set_updated_at()"
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_updated_at ON {table}")
    op.execute("DROP FUNCTION IF EXISTS trainforge_set_updated_at()")
    op.drop_index('ix_workout_instances_microcycle_date', table_name='workout_instances')
    op.drop_table('workout_instances')
    op.drop_table('microcycles')
    op.drop_table('mesocycles')
    op.drop_table('macrocycles')
    op.drop_index(op.f('ix_fitness_programs_created_by_id'), table_name='fitness_programs')
    op.drop_index('ix_fitness_programs_athlete_created', table_name='fitness_programs')
    op.drop_table('fitness_programs')
    op.drop_index(op.f('ix_coach_athletes_athlete_id'), table_name='coach_athletes')
    op.drop_table('coach_athletes')
    op.drop_table('athlete_profiles')
    op.drop_table('users')
