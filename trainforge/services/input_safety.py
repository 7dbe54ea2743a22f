"""What PostgreSQL can store, checked before anything reaches it.

PostgreSQL refuses text with a NUL character ("invalid byte sequence for
encoding UTF8: 0x00"), the driver refuses strings with lone UTF-16 surrogates
(JSON allows `"\\ud800"`; UTF-8 cannot encode it), and dates beyond year 9999
or before year 1 (after time-zone shifts) overflow in Python or in PostgreSQL.
Every value a client sends passes through `problem_in` where it enters, so such
input meets a clear error naming the field instead of failing in the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timezone

# Wide enough that every plausible value reaches the domain's own checks (a
# birth date 130 years ago gets the profile's typed "older than 120" error),
# far enough from the limits of Python (years 1..9999) and PostgreSQL that no
# time-zone shift or date arithmetic on them overflows.
EARLIEST_DATE = date(1800, 1, 1)
LATEST_DATE = date(2999, 12, 31)


def text_problem(text: str) -> str | None:
    """Why PostgreSQL could not store this text, or None."""
    if text.isascii():  # the common case: only NUL can be wrong
        return "must not contain NUL (U+0000) characters" if "\x00" in text else None
    if "\x00" in text:
        return "must not contain NUL (U+0000) characters"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "must not contain lone surrogates (U+D800-U+DFFF)"
    return None


def date_problem(value: date) -> str | None:
    """Why this date or timestamp is outside what the service accepts, or None."""
    day = value
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            try:
                day = value.astimezone(timezone.utc)
            except OverflowError:
                return _DATE_RANGE
        day = day.date()  # type: ignore[union-attr]
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        return _DATE_RANGE
    return None


_DATE_RANGE = f"must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}"


def problem_in(value: object) -> tuple[str, str] | None:
    """The first unstorable part of a plain value (text, date, or JSON-like
    nesting of them) as (relative path, reason), or None when all of it is fine.
    The path is "" for the value itself, else dotted keys and list indexes."""
    if isinstance(value, str):
        reason = text_problem(value)
        return ("", reason) if reason else None
    if isinstance(value, date):
        reason = date_problem(value)
        return ("", reason) if reason else None
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and (reason := text_problem(key)):
                return ("", f"has a key that {reason}")
            if (found := problem_in(item)) is not None:
                return (_join(str(key), found[0]), found[1])
        return None
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            if (found := problem_in(item)) is not None:
                return (_join(str(index), found[0]), found[1])
    return None


def _join(head: str, tail: str) -> str:
    return f"{head}.{tail}" if tail else head
