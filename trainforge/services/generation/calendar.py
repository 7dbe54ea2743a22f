"""Dates of a generated program, computed by us whatever the generator.

Microcycles are calendar weeks counted from the start date (week n covers
start + 7(n-1) .. start + 7n - 1); workouts fall on the requested weekdays;
the last week ends on the program's end date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from trainforge.services.generation.types import GenerationRequest


def week_start(request: GenerationRequest, week_number: int) -> date:
    return request.start_date + timedelta(weeks=week_number - 1)


def week_end(request: GenerationRequest, week_number: int) -> date:
    return week_start(request, week_number) + timedelta(days=6)


def training_days(request: GenerationRequest, week_number: int) -> list[date]:
    """The week's dates that fall on the requested weekdays, in date order."""
    start = week_start(request, week_number)
    days = (start + timedelta(days=offset) for offset in range(7))
    wanted = {int(d) for d in request.weekdays}
    return [d for d in days if d.weekday() in wanted]


def workout_days(request: GenerationRequest, week_number: int) -> list[date]:
    """The week's training days, plus the event day when it falls in this week on another
    day (a race or a meet is on its date whatever the weekday), in date order."""
    days = training_days(request, week_number)
    event = request.event_date
    if event is not None and week_start(request, week_number) <= event <= week_end(request, week_number) \
            and event not in days:
        days = sorted([*days, event])
    return days


def mesocycle_spans(request: GenerationRequest, weeks: Sequence[int]) -> list[tuple[date, date, int]]:
    """(start, end, first week number) of consecutive mesocycles of the given lengths."""
    if sum(weeks) != request.total_weeks:
        raise ValueError(f"mesocycle weeks {list(weeks)} do not add up to {request.total_weeks}")
    spans, first = [], 1
    for length in weeks:
        spans.append((week_start(request, first), week_end(request, first + length - 1), first))
        first += length
    return spans
