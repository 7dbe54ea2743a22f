"""Stored generation seeds fit GraphQL's Int: reduce those >= 2^31 modulo 2^31.

`Program.seed` and `generationInput.seed` are exposed as GraphQL `Int` (signed
32 bits). Default seeds used to be 32-bit hashes, so about half the generated
programs stored a seed from 2^31 to 2^32-1, which no `Int` can carry. This
rewrites them to `seed % 2^31`, the value the default seed now takes for the
same input.

Consequence: regenerating a mesocycle of such an older program (without an
explicit seed) now draws with the reduced seed, so the rule-based generator may
pick other exercises than the original seed would have; the weeks already
stored are untouched.

The downgrade keeps the reduced seeds: the high bit is not recoverable, and
the reduced seeds are valid for the older code too.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

SEED_LIMIT = 2**31


def upgrade() -> None:
    # numeric, not bigint: a hand-edited seed beyond 2^63 still converts instead of failing.
    op.execute(
        f"""
        UPDATE fitness_programs
        SET generation_input = jsonb_set(
            generation_input, '{{seed}}',
            to_jsonb(mod((generation_input ->> 'seed')::numeric, {SEED_LIMIT})::bigint)
        )
        WHERE jsonb_typeof(generation_input -> 'seed') = 'number'
          AND (generation_input ->> 'seed')::numeric >= {SEED_LIMIT}
        """
    )


def downgrade() -> None:
    pass
