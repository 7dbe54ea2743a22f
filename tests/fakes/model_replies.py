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


def breakdown_reply(weeks: int, days: int, names: list[str]) -> dict[str, Any]:
    return {
        "weeks": [
            {
                "week_number": 99,  # ignored: week numbers and dates are ours
                "focus": f"week {w + 1}",
                "is_deload": w == weeks - 1,
                "workouts": [
                    {
                        "date": "1999-01-01",
                        "day": day,
                        "name": f"Day {day + 1}",
                        "type": "strength",
                        "exercises": [
                            {"exercise": name, "sets": 3, "reps": 5, "percent_one_rm": 75, "rpe": 8, "rest_seconds": 180}
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


def menu_names(body: dict[str, Any]) -> list[str]:
    """The first name of each movement pattern listed in a breakdown prompt."""
    menu = user_prompt(body).split("## Exercises to choose from", 1)[1].split("## Output", 1)[0]
    return [line.split(": ", 1)[1].split("; ")[0] for line in menu.splitlines() if line.startswith("- ")]


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
        return json.dumps(breakdown_reply(weeks, days, self.names or menu_names(body)))
