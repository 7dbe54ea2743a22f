"""Background tasks: procrastinate's schema (its job queue tables and functions).

The schema is the one of the pinned procrastinate version (pyproject: >=3.10,<3.11):
upgrading procrastinate past that needs a revision applying its own migrations.
Its tables are left out of the model comparison (db.include_in_migrations).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op
from procrastinate.schema import SchemaManager
from sqlalchemy.util import await_only

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

DROP_PROCRASTINATE = r"""
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT p.oid::regprocedure AS f FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = 'public' AND p.proname LIKE 'procrastinate\_%' LOOP
        EXECUTE 'DROP FUNCTION IF EXISTS ' || r.f || ' CASCADE';
    END LOOP;
    FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'procrastinate\_%' LOOP
        EXECUTE 'DROP TABLE IF EXISTS ' || quote_ident(r.tablename) || ' CASCADE';
    END LOOP;
    FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE n.nspname = 'public' AND t.typname LIKE 'procrastinate\_%' AND t.typtype IN ('e', 'c', 'd') LOOP
        EXECUTE 'DROP TYPE IF EXISTS ' || quote_ident(r.typname) || ' CASCADE';
    END LOOP;
END $$
"""


def _run_script(sql: str) -> None:
    # Several statements in one script: asyncpg runs them with the simple query protocol,
    # which SQLAlchemy's prepared statements (op.execute) refuse.
    await_only(op.get_bind().connection.driver_connection.execute(sql))


def upgrade() -> None:
    _run_script(SchemaManager.get_schema())


def downgrade() -> None:
    _run_script(DROP_PROCRASTINATE)
