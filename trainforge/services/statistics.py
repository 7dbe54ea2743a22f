"""Planner statistics after bulk writes.

Autovacuum analyzes a table once enough of it changed, but only on its next
round (`autovacuum_naptime`, a minute by default), and a table loaded in bulk
before it was ever analyzed is planned meanwhile as if it were tiny or empty:
the nested program query's workouts statement then took ~6 ms with parallel
workers instead of ~0.1 ms. After a bulk load we therefore apply autovacuum's
own rule at once.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text

from trainforge.db import Executor
from trainforge.models.accounts import AthleteProfile, CoachAthlete, User
from trainforge.models.programs import FitnessProgram, Macrocycle, Mesocycle, Microcycle, WorkoutInstance

PROGRAM_TABLES = tuple(
    m.__tablename__ for m in (FitnessProgram, Macrocycle, Mesocycle, Microcycle, WorkoutInstance)
)
ACCOUNT_TABLES = tuple(m.__tablename__ for m in (User, AthleteProfile, CoachAthlete))

# Autovacuum's analyze rule (https://www.postgresql.org/docs/15/routine-vacuuming.html#AUTOVACUUM):
# "analyze threshold = analyze base threshold + analyze scale factor * number of
# tuples", the number of tuples being pg_class.reltuples; a table is analyzed
# once the tuples changed since its last analyze exceed it (50 + 0.1 * reltuples
# with the default settings). The settings are read from the server, so a tuned
# server keeps its own rule (per-table storage parameters are not read).
# A table never analyzed nor vacuumed since it was created or truncated
# (reltuples = -1, PostgreSQL 14+) qualifies whatever its counters say:
# that is the bulk-load case, and the counters may not show the load yet.
_STALE = text(
    """
    SELECT s.relid::regclass::text AS name
    FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
    WHERE s.relid = ANY(CAST(:tables AS regclass[]))
      AND (
        c.reltuples < 0
        OR s.n_mod_since_analyze > current_setting('autovacuum_analyze_threshold')::float8
          + current_setting('autovacuum_analyze_scale_factor')::float8 * c.reltuples
      )
    ORDER BY 1
    """
)


async def analyze_stale(db: Executor, tables: Sequence[str]) -> list[str]:
    """ANALYZE those of `tables` autovacuum would analyze now; returns their names.

    One statement reads the counters, and one ANALYZE covers every stale table.
    SKIP_LOCKED passes over a table being analyzed or vacuumed right now (by
    autovacuum, say) instead of waiting for it. The counters may trail recent
    writes by seconds (a backend reports them at most once a second, when idle
    within ten), so a table just past the threshold may be left to autovacuum;
    the bulk-load case, a table never analyzed, does not depend on them.
    """
    stale = list((await db.execute(_STALE, {"tables": list(tables)})).scalars())
    if stale:
        # The names come from PostgreSQL's regclass output: quoted where needed.
        await db.execute(text(f"ANALYZE (SKIP_LOCKED) {', '.join(stale)}"))
    return stale
