"""Record what generated a program: generator, model, prompt version, validated input.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('fitness_programs', sa.Column('generator', sa.Enum('rules', 'llm', name='program_generator', native_enum=False, create_constraint=True, length=32), nullable=True))
    op.add_column('fitness_programs', sa.Column('generator_model', sa.String(length=200), nullable=True))
    op.add_column('fitness_programs', sa.Column('prompt_version', sa.String(length=32), nullable=True))
    op.add_column('fitness_programs', sa.Column('generation_input', postgresql.JSONB(astext_type=sa.Text()), nullable=True))


def downgrade() -> None:
    op.drop_column('fitness_programs', 'generation_input')
    op.drop_column('fitness_programs', 'prompt_version')
    op.drop_column('fitness_programs', 'generator_model')
    op.drop_column('fitness_programs', 'generator')
