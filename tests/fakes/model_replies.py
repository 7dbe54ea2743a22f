"""Replies a language model could give at each generation step, for the fake server."""

from __future__ import annotations

import json
import re
from typing import Any

def outline_reply(weeks: list[int], sessions: int = 3, last_phase: str = "realization") -> dict[str, Any]:
    phases = ["accumulation", "intensification", "realization", "accumulation"][: len(weeks) - 1] + [last_phase]
    return {
        "id": "prog-from-the-model",  # ids and dates a model invents are ignored
        "name": "Strength block",
        "description": "Three blocks toward heavier lifts.",
        "start_date": "1999-01-01",
        "mesocycles": [
            {
                "id": f"m{i}",
                "start_date": "1999-01-01",
                "end_date": "1999-12-31",
                "name": f"Block {i + 1}",
                "phase": phase,
                "weeks": length,
                "emphasis": f"{phase} emphasis",
                "weekly_targets": {
                    "sessions": sessions,
                    "hard_sets": 40,
                    "intensity_low_pct": 70,
                    "intensity_high_pct": 85,
                    "rpe": 8,
                },
            }
            for i, (phase, length) in enumerate(zip(phases, weeks, strict=True))
        ],
    }


PULLS = re.compile(r"row|pull|chin", re.IGNORECASE)
PUSHES = re.compile(r"press|push|dip", re.IGNORECASE)


def breakdown_reply(weeks: int, days: int, names: list[str], test_week: bool = False) -> dict[str, Any]:
    """Every week the same lifts by RPE (no 1RM is known), 3 sets each but as many pulling
    sets as pushing ones; the last week a deload, or the program's test week."""
    pulls = [name for name in names if PULLS.search(name)]
    pushes = [name for name in names if PUSHES.search(name) and name not in pulls]
    pull_sets = max(3, -(-3 * len(pushes) // len(pulls))) if pulls else 3

    def sets(name: str) -> int:
        return pull_sets if name in pulls else 3

    return {
        "weeks": [
            {
                "week_number": 99,  # ignored: week numbers and dates are ours
                "focus": f"week {w + 1}",
                "is_deload": w == weeks - 1 and not test_week,
                "workouts": [
                    {
                        "date": "1999-01-01",
                        "day": day,
                        "name": f"Day {day + 1}",
                        "type": "test" if test_week and w == weeks - 1 else "strength",
                        "exercises": [
                            {"exercise": name, "sets": sets(name), "reps": 5, "rpe": 8, "reps_in_reserve": 2,
                             "rest_seconds": 180}
                            for name in names
                        ],
                    }
                    for day in reversed(range(days))  # any order: we sort by date
                ],
            }
            for w in range(weeks)
        ]
    }


def step_of(body: dict[str, Any]) -> str:
    return body["response_format"]["json_schema"]["name"]


def user_prompt(body: dict[str, Any]) -> str:
    return next(m["content"] for m in body["messages"] if m["role"] == "user")


LIFTING_PATTERNS = ("squat", "hinge", "lunge", "horizontal_push", "vertical_push", "horizontal_pull", "vertical_pull",
                    "core")


def menu_names(body: dict[str, Any]) -> list[str]:
    """The first name of each lifting pattern listed in a breakdown prompt."""
    menu = user_prompt(body).split("## Exercises to choose from", 1)[1].split("## Output", 1)[0]
    lines = [line[2:].split(": ", 1) for line in menu.splitlines() if line.startswith("- ")]
    return [names.split("; ")[0] for pattern, names in lines if pattern in LIFTING_PATTERNS]


def asks_for_a_test_week(body: dict[str, Any]) -> bool:
    return "the program's test week" in user_prompt(body)


class ValidModel:
    """Answers each step validly for `weeks` mesocycle lengths, as a good model would."""

    def __init__(self, weeks: list[int], names: list[str] | None = None, last_phase: str = "realization") -> None:
        self.weeks, self.names, self.last_phase = weeks, names, last_phase

    def __call__(self, body: dict[str, Any]) -> str:
        prompt = user_prompt(body)
        days = int(re.search(r"Training days per week: (\d+)", prompt).group(1))
        if step_of(body) == "program_outline":
            return json.dumps(outline_reply(self.weeks, days, self.last_phase))
        weeks = int(re.search(r"- Weeks: (\d+) \(program weeks", prompt).group(1))
        return json.dumps(breakdown_reply(weeks, days, self.names or menu_names(body), asks_for_a_test_week(body)))
