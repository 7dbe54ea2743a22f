"""Heart-rate samples of a training session, stored a batch per row.

A wearable sends samples in batches (a few seconds to a few thousand samples); a row holds one batch's
accepted samples as two parallel arrays, milliseconds after `started_at` and bpm. One row per sample would
cost ~60 bytes of tuple overhead and an index entry each; a 5,000-sample batch is one row of ~30 KB.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ARRAY, CheckConstraint, DateTime, ForeignKey, Index, Integer, SmallInteger, String, func
from sqlalchemy.orm import Mapped, mapped_column

from trainforge.models.base import Base, UUIDPrimaryKey

MAX_BATCH_SAMPLES = 10_000


class HeartRateBatch(UUIDPrimaryKey, Base):
    __tablename__ = "heart_rate_batches"
    __table_args__ = (
        # A session's samples in time order; ingestion looks up batches that overlap a new one.
        Index("ix_heart_rate_batches_session_start", "session_id", "started_at"),
        CheckConstraint("cardinality(offsets_ms) = samples AND cardinality(bpm) = samples", name="arrays_match"),
        CheckConstraint(f"samples BETWEEN 1 AND {MAX_BATCH_SAMPLES}", name="samples_range"),
        CheckConstraint("ended_at >= started_at", name="times_ordered"),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="CASCADE"), nullable=False
    )
    athlete_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    device: Mapped[str] = mapped_column(String(120), nullable=False)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)  # the first sample
    ended_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)  # the last sample
    samples: Mapped[int] = mapped_column(Integer, nullable=False)
    offsets_ms: Mapped[list[int]] = mapped_column(ARRAY(Integer), nullable=False)  # ascending, from started_at
    bpm: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger), nullable=False)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
