"""pydantic's validation errors as our InvalidInput problems, each naming its input field."""

from __future__ import annotations

from pydantic import ValidationError

from trainforge.services.errors import InvalidInput


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def problems_of(exc: ValidationError, prefix: str) -> list[InvalidInput]:
    """One problem per error, its field the camelCase path as the client sent it
    (`input.sections.0.exercises.1.sets`); a model-level check names the object."""
    problems = []
    for error in exc.errors(include_url=False):
        path = [prefix, *(camel(part) if isinstance(part, str) else str(part) for part in error["loc"])]
        message = error["msg"].removeprefix("Value error, ")
        problems.append(InvalidInput(f"{'.'.join(path[1:]) or prefix}: {message}", field=".".join(path)))
    return problems
