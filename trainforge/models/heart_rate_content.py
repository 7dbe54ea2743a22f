"""A session's heart-rate summary as its performance log keeps it (computed in services/heart_rate_zones.py)."""

from __future__ import annotations

import enum

from pydantic import Field

from trainforge.models.program_content import FrozenContent


class DataQuality(str, enum.Enum):
    EXCELLENT = "excellent"
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"


class HeartRateStats(FrozenContent):
    samples: int = Field(ge=0)
    avg_hr: int | None = None
    min_hr: int | None = None
    max_hr: int | None = None
    seconds_in_zones: list[int] = Field(default_factory=lambda: [0, 0, 0, 0, 0], min_length=5, max_length=5)
    seconds_below_zones: int = 0
    banister_trimp: float | None = None
    edwards_trimp: float = 0.0
    effort: int = Field(default=0, ge=0, le=100)
    coverage: float = Field(default=0.0, ge=0, le=1)
    longest_gap_seconds: int = 0
    quality: DataQuality = DataQuality.POOR

    @classmethod
    def of(cls, summary: object) -> HeartRateStats:
        """From a heart_rate_zones.HeartRateSummary (a dataclass with the same fields)."""
        import dataclasses

        return cls.model_validate(dataclasses.asdict(summary))  # type: ignore[call-overload]
