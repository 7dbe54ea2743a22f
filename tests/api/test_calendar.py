"""The calendar: programs and routines together, by date, filtered and paginated, for athletes and their coaches."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from trainforge.models import Role

from test_routines import ASSIGN, routine_input
from test_training_sessions import SCHEDULE

CALENDAR = """
query ($from: Date!, $to: Date!, $athleteId: ID, $status: [WorkoutStatus!], $kind: [SessionKind!],
       $first: Int, $after: String) {
  calendar(from: $from, to: $to, athleteId: $athleteId, status: $status, kind: $kind, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id date time name kind status athlete { id } session { id status } workout { id status } } }
  }
}
"""
# make_programs' first program starts on Monday 2026-01-05 (a 4-week mesocycle, 3 days a week).
PROGRAM_START = date(2026, 1, 5)


async def _assign(gql, owner, athlete, start: date, end: date, weekdays: list[str]) -> dict:  # noqa: ANN001
    routine = await gql("mutation ($input: RoutineInput!) { createRoutine(input: $input) { routine { latestVersion { id } } } }",
                        {"input": routine_input()}, as_=owner)
    version = routine["data"]["createRoutine"]["routine"]["latestVersion"]["id"]
    body = await gql(ASSIGN, {"input": {"versionId": version, "athleteId": str(athlete.id), "startDate": start.isoformat(),
                                        "endDate": end.isoformat(), "weekdays": weekdays}}, as_=owner)
    assert body["data"]["assignRoutine"]["errors"] == [], body
    return body["data"]["assignRoutine"]


async def _calendar(gql, person, **variables) -> dict:  # noqa: ANN001
    variables = {"from": PROGRAM_START.isoformat(), "to": (PROGRAM_START + timedelta(days=27)).isoformat(), **variables}
    body = await gql(CALENDAR, variables, as_=person)
    assert "errors" not in body, body
    return body["data"]["calendar"]


async def test_programs_and_routines_together_by_date(gql, make_user, link, make_programs):
    coach, athlete = await make_user(Role.COACH), await make_user(Role.ATHLETE)
    await link(coach, athlete)
    await make_programs(athlete, mesocycles=1, days=3)  # Mon, Wed, Fri for 4 weeks: 12 workouts
    assigned = await _assign(gql, coach, athlete, PROGRAM_START, PROGRAM_START + timedelta(days=27), ["TUESDAY"])
    calendar = await _calendar(gql, athlete, first=100)
    entries = [e["node"] for e in calendar["edges"]]
    assert calendar["totalCount"] == len(entries) == 16
    assert [e["date"] for e in entries] == sorted(e["date"] for e in entries)
    workouts = [e for e in entries if e["workout"] is not None]
    sessions = [e for e in entries if e["session"] is not None]
    assert len(workouts) == 12 and {e["status"] for e in workouts} == {"PLANNED"}
    assert all(e["session"] is None and e["id"] == e["workout"]["id"] for e in workouts)
    assert {e["id"] for e in sessions} == {s["id"] for s in assigned["sessions"]}
    assert {e["status"] for e in sessions} == {"SCHEDULED"}

    # Scheduling a program workout turns its entry into its session's: still one entry for it.
    first = workouts[0]
    await gql(SCHEDULE, {"input": {"workoutId": first["workout"]["id"], "time": "06:00:00"}}, as_=athlete)
    calendar = await _calendar(gql, athlete, first=100)
    same_day = [e["node"] for e in calendar["edges"] if e["node"]["date"] == first["date"]]
    assert len(same_day) == 1 and same_day[0]["status"] == "SCHEDULED" and same_day[0]["time"] == "06:00:00"
    assert same_day[0]["workout"]["id"] == first["workout"]["id"] and same_day[0]["session"] is not None

    # Filters.
    planned = await _calendar(gql, athlete, status=["PLANNED"], first=100)
    assert planned["totalCount"] == 11
    scheduled = await _calendar(gql, athlete, status=["SCHEDULED"], kind=["STRENGTH"], first=100)
    assert scheduled["totalCount"] == 5
    assert (await _calendar(gql, athlete, kind=["ENDURANCE"]))["totalCount"] == 0

    # Pages: every entry once, in order.
    seen, after = [], None
    while True:
        page = await _calendar(gql, athlete, first=5, after=after)
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [e["node"]["id"] for e in (await _calendar(gql, athlete, first=100))["edges"]]

    # The coach sees the same for the athlete; another coach sees nothing, even naming the athlete.
    coach_view = await _calendar(gql, coach, athleteId=str(athlete.id), first=100)
    assert [e["node"]["id"] for e in coach_view["edges"]] == seen
    stranger = await make_user(Role.COACH)
    assert (await _calendar(gql, stranger, athleteId=str(athlete.id)))["totalCount"] == 0


async def test_a_coach_sees_each_linked_athlete(gql, make_user, link, make_programs):
    coach = await make_user(Role.COACH)
    first, second, unlinked = await make_user(), await make_user(), await make_user()
    await link(coach, first)
    await link(coach, second)
    for athlete in (first, second, unlinked):
        await make_programs(athlete, mesocycles=1, days=3)
    everyone = await _calendar(gql, coach, first=100)
    assert {e["node"]["athlete"]["id"] for e in everyone["edges"]} == {str(first.id), str(second.id)}
    assert everyone["totalCount"] == 24


@pytest.mark.parametrize("variables, field", [
    ({"to": "2025-12-31"}, "to"),
    ({"to": "2027-06-01"}, "to"),
    ({"after": "not-a-cursor"}, "after"),
    ({"first": 101}, "first"),
])
async def test_bad_calendar_arguments_are_bad_user_input(gql, make_user, variables, field):
    athlete = await make_user()
    body = await gql(CALENDAR, {"from": PROGRAM_START.isoformat(), "to": "2026-02-01", **variables}, as_=athlete)
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and error["extensions"]["field"] == field


@pytest.mark.parametrize("sessions", [1, 10, 100])
async def test_the_calendar_costs_the_same_statements_whatever_its_size(
    gql, make_user, make_programs, count_statements, sessions
):
    """EXPECTS 6: the page, totalCount, then one statement per loader: athletes, sessions, workouts, and
    the workouts' sessions (workout.status)."""
    athlete = await make_user()
    start = date(2026, 1, 5)
    await _assign(gql, athlete, athlete, start, start + timedelta(days=sessions - 1), [
        "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"])
    await make_programs(athlete, mesocycles=1, days=3)
    with count_statements() as n:
        calendar = await _calendar(gql, athlete, first=100, to=(start + timedelta(days=sessions - 1)).isoformat())
    assert calendar["totalCount"] >= sessions
    assert n.value == 6
