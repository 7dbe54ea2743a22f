"""`sessionEvents`: what happens to a session, as it happens, to every device and the coach."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator
from typing import Any

import strawberry
from strawberry import Info

from trainforge import fanout
from trainforge.resolvers import events as resolve
from trainforge.resolvers.common import parse_id
from trainforge.resolvers.context import Context
from trainforge.schema.live import LoggedSet, SessionAttempt, SessionProgress
from trainforge.schema.training import TrainingSession

SessionEventKind = strawberry.enum(resolve.EventKind, description="SUBSCRIBED comes first, with the state when "
                                   "the subscription started; the others as they happen.")


def _id(value: str | None) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None


@strawberry.type(description="Something happened to the session. `version` is the progress version it made (or "
                 "saw): a gap tells a client it missed events and should read the progress again.")
class SessionEvent:
    kind: SessionEventKind
    version: int | None
    position: int | None = strawberry.field(description="The exercise it concerns, if one.")
    session_id: strawberry.Private[uuid.UUID]
    set_id: strawberry.Private[uuid.UUID | None]
    attempt_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field
    async def session(self, info: Info[Context, None]) -> TrainingSession | None:
        return await info.context.loaders.session.load(self.session_id)

    @strawberry.field(description="The progress as it is when this event is delivered.")
    async def progress(self, info: Info[Context, None]) -> SessionProgress | None:
        return await info.context.loaders.progress.load(self.session_id)

    @strawberry.field(description="The set logged (SET_LOGGED).")
    async def set(self, info: Info[Context, None]) -> LoggedSet | None:
        return None if self.set_id is None else await info.context.loaders.logged_set.load(self.set_id)

    @strawberry.field(description="The attempt started or closed.")
    async def attempt(self, info: Info[Context, None]) -> SessionAttempt | None:
        return None if self.attempt_id is None else await info.context.loaders.attempt.load(self.attempt_id)

    @classmethod
    def of(cls, message: dict[str, Any]) -> SessionEvent:
        return cls(
            kind=resolve.EventKind(message["kind"]), version=message.get("version"), position=message.get("position"),
            session_id=uuid.UUID(message["session"]), set_id=_id(message.get("set")),
            attempt_id=_id(message.get("attempt")),
        )


@strawberry.type
class LiveSubscription:
    @strawberry.subscription(description="The session's events (progress saved, set logged, exercise status "
                             "changed, attempt started, status changed, completed) for a session the viewer may "
                             "read; it ends when that access is revoked.")
    async def session_events(
        self, info: Info[Context, None], session_id: strawberry.ID
    ) -> AsyncGenerator[SessionEvent, None]:
        async for message in resolve.session_events(info.context, parse_id(session_id, "sessionId")):
            yield SessionEvent.of(message)


fanout.FEEDS["sessionEvents"] = fanout.Feed(channel=resolve.channel, root=SessionEvent.of, subscribed=resolve.subscribed)
