"""Zones, time in zones, TRIMP and data quality against values worked out by hand from the published formulas
(sources in trainforge/services/heart_rate_zones.py)."""

from __future__ import annotations

import math

import pytest

from trainforge.services.heart_rate_zones import DataQuality, TrimpCoefficients, ZoneMethod, summarize, zones


def test_percent_of_max_zones_and_their_boundaries():
    z = zones(190)
    assert z.method is ZoneMethod.PERCENT_MAX
    assert z.bounds == ((95, 114), (114, 133), (133, 152), (152, 171), (171, 190))
    # A boundary belongs to the zone it starts; below 50 % is no zone; above max is zone 5.
    assert [z.zone_of(bpm) for bpm in (94, 95, 113, 114, 151, 152, 171, 190, 205)] == [0, 1, 1, 2, 3, 4, 5, 5, 5]


def test_karvonen_zones_when_resting_hr_is_known():
    z = zones(190, resting_hr=50)  # reserve 140: 50 + 0.5 x 140 = 120, ...
    assert z.method is ZoneMethod.KARVONEN
    assert z.bounds == ((120, 134), (134, 148), (148, 162), (162, 176), (176, 190))
    assert [z.zone_of(bpm) for bpm in (119, 120, 161, 162, 176)] == [0, 1, 3, 4, 5]
    assert zones(190, resting_hr=200).method is ZoneMethod.PERCENT_MAX  # a resting HR above max is ignored


def steady(bpm: int, seconds: int, start: float = 0) -> list[tuple[float, int]]:
    return [(start + s, bpm) for s in range(seconds)]


@pytest.mark.parametrize(("sex", "a", "b"), [("male", 0.64, 1.92), ("female", 0.86, 1.67)])
def test_banister_trimp_of_half_an_hour_at_150(sex, a, b):
    """30 min at 150 bpm, resting 50, max 190: HRr = 100/140; TRIMP = 30 x HRr x a x e^(b x HRr)
    (54.0 for men, 60.7 for women)."""
    reserve = (150 - 50) / (190 - 50)
    by_hand = 30 * reserve * a * math.exp(b * reserve)
    summary = summarize(steady(150, 1800), zones(190, 50), sex)
    assert summary.banister_trimp == pytest.approx(by_hand, abs=0.05)
    assert round(by_hand, 1) == {"male": 54.0, "female": 60.7}[sex]
    unknown = summarize(steady(150, 1800), zones(190, 50), None).banister_trimp
    assert 54.0 < unknown < 60.7
    assert summarize(steady(150, 1800), zones(190), sex).banister_trimp is None  # no resting HR


def test_time_in_zones_and_edwards_trimp():
    """10 min in zone 2 then 20 min in zone 4 (max 190, % of max): Edwards = 10 x 2 + 20 x 4 = 100."""
    samples = steady(120, 600) + steady(160, 1200, start=600)
    summary = summarize(samples, zones(190))
    assert summary.seconds_in_zones == (0, 600, 0, 1200, 0) and summary.seconds_below_zones == 0
    assert summary.edwards_trimp == 100.0
    assert (summary.avg_hr, summary.min_hr, summary.max_hr) == (round((120 * 600 + 160 * 1200) / 1800), 120, 160)
    assert summary.effort == round(100 * (1 - math.exp(-100 / 250)))
    assert summary.quality is DataQuality.EXCELLENT and summary.coverage == 1.0


def test_gaps_count_at_most_five_seconds_and_lower_the_quality():
    samples = steady(140, 600) + steady(140, 600, start=720)  # a 2-minute dropout
    summary = summarize(samples, zones(190))
    assert summary.longest_gap_seconds == 121
    assert sum(summary.seconds_in_zones) == 599 + 5 + 600  # the sample before the gap stands for 5 s only
    assert summary.coverage == round(1204 / 1320, 3)
    assert summary.quality is DataQuality.GOOD
    sparse = [(s * 10.0, 140) for s in range(100)]  # one sample every 10 s: half the span uncovered
    assert summarize(sparse, zones(190)).quality is DataQuality.POOR
    assert summarize([], zones(190)).quality is DataQuality.POOR


def test_coefficients_are_configurable():
    custom = TrimpCoefficients(male=(1.0, 1.0), female=(1.0, 1.0))
    reserve = 100 / 140
    summary = summarize(steady(150, 600), zones(190, 50), "male", custom)
    assert summary.banister_trimp == pytest.approx(10 * reserve * math.exp(reserve), abs=0.05)
