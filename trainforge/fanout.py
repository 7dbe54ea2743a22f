"""Grouped fan-out of a session's subscriptions (`sessionEvents`, `heartRate`: FEEDS) over graphql-transport-ws.

strawberry executes a subscription's selection, and encodes its result, once per
subscriber per event: with a thousand watchers of one session that is a
thousand executions (and their SQL) for one logged set. Here subscriptions with
the same document, operation and variables (so the same session) form a group
per process: the group subscribes to the broker once, and for each event
checks who may still read the session (one statement for all its viewers)
while it executes the selection once with fresh loaders, encodes the payload once, and
writes the same text frame (only the operation id differs) to every member in
one loop. A socket whose write buffer is full (or, on a server that does not
tell, that does not take its frame within SEND_TIMEOUT) is closed rather than
waited on, so a slow client never holds the others back.

Each execution builds a fresh executor (no per-event copy of a long-lived one:
graphql-core 3.3.2's per-event copies share and grow a cache, about 1.6 KB per
delivered event). Anything this path does not recognise (another subscription,
several root fields, invalid input) goes through strawberry's own path.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import FieldNode, GraphQLError, OperationDefinitionNode, OperationType, get_operation_ast
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler, Operation

from trainforge.resolvers.context import Context
from trainforge.resolvers.loaders import Loaders
from trainforge.services import training
from trainforge.transport import json_bytes
from trainforge.websocket import SharedFrameProtocol, SharedText

log = logging.getLogger(__name__)

SEND_TIMEOUT = 0.05  # seconds a socket may take to accept one frame before it is closed as too slow
CLOSE_TIMEOUT = 2.0  # seconds a too slow socket's close may wait for its buffer before the connection is cut


@dataclass(frozen=True, slots=True)
class Feed:
    """A subscription field of one session served by groups: where its events come from, the root value an
    event executes on, and the SUBSCRIBED message that starts a member's stream (read on a connection)."""

    channel: Callable[[uuid.UUID], str]
    root: Callable[[dict[str, Any]], Any]
    subscribed: Callable[[AsyncConnection, uuid.UUID], Awaitable[dict[str, Any]]]


# Subscription field name -> its feed; the schema modules register theirs.
FEEDS: dict[str, Feed] = {}


@dataclass(eq=False, slots=True)
class Member:
    handler: GroupedTransportWSHandler
    operation_id: str
    viewer_id: uuid.UUID
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    # The member's messages: this head, then the event's shared payload and "}" (see `shared_payload`).
    head: bytes = field(init=False)
    socket: SharedFrameProtocol | None = field(init=False)  # when the server writes shared frames itself

    def __post_init__(self) -> None:
        self.head = b'{"id":' + json_bytes(self.operation_id) + b',"type":"next","payload":'
        self.socket = self.handler.websocket.shared_frames()


def shared_payload(payload: bytes) -> SharedText:
    """A `next` message's shared part: the same for every member, whose own head goes in front."""
    return SharedText(payload + b"}")


@dataclass(eq=False)
class Group:
    hub: FanoutHub
    key: tuple[str, str | None, str]
    feed: Feed
    session_id: uuid.UUID
    query: str
    operation_name: str | None
    variables: dict[str, Any] | None
    members: set[Member] = field(default_factory=set)
    # Members per viewer, kept as they join and leave: whom to check on each event without a pass over
    # the members (at 10,000 members each pass over them cost 5-7 ms of cache misses here).
    viewers: Counter[uuid.UUID] = field(default_factory=Counter)
    task: asyncio.Task[None] | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self, context: Context) -> None:
        try:
            async with await context.broker.subscribe(self.feed.channel(self.session_id)) as subscription:
                self.ready.set()
                async for message in subscription:
                    if not self.members:
                        return
                    await self.deliver(context, message)
        except Exception:  # the broker failed: the members' streams complete (clients subscribe again)
            log.exception("the event group of session %s stopped", self.session_id)
        finally:
            self.ready.set()
            self.hub.groups.pop(self.key, None)
            for member in list(self.members):
                member.ended.set()

    def join(self, member: Member) -> None:
        self.members.add(member)
        self.viewers[member.viewer_id] += 1

    def leave(self, member: Member) -> None:
        if member in self.members:
            self.members.discard(member)
            self.viewers[member.viewer_id] -= 1
            if not self.viewers[member.viewer_id]:
                del self.viewers[member.viewer_id]

    async def deliver(self, context: Context, message: dict[str, Any]) -> None:
        members, viewers = list(self.members), list(self.viewers)

        async def check_readers() -> set[uuid.UUID]:
            async with context.reader.connect() as conn:
                return await training.readers_among(conn, self.session_id, viewers)

        # Independent: who may still read, and the payload (sent only to them).
        readers, payload = await asyncio.gather(
            check_readers(), self.hub.execute(self, members[0].handler.context, message)
        )
        revoked = set(viewers) - readers
        if revoked:  # access revoked: their streams complete (each handler says so, in its own task)
            for member in members:
                if member.viewer_id in revoked:
                    member.ended.set()
            members = [member for member in members if member.viewer_id not in revoked]
        shared = shared_payload(payload)
        for member in members:
            try:
                if member.socket is not None:  # written at once, without a coroutine per socket
                    sent = member.socket.send_shared(shared, member.head)
                else:
                    sent = await member.handler.websocket.send_shared(shared, member.head, SEND_TIMEOUT)
            except Exception:  # the socket went away (SocketGone, WebSocketDisconnected): its handler cleans up
                member.ended.set()
                continue
            if not sent:
                log.warning("closing a subscriber too slow to take its events")
                self.hub.drop(member)


class FanoutHub:
    """The groups of this process, by (query, operation name, variables)."""

    def __init__(self, schema: Any) -> None:
        self.schema = schema
        self.groups: dict[tuple[str, str | None, str], Group] = {}
        self.closing: set[asyncio.Task[None]] = set()  # drops under way (held: the loop keeps weak references)

    def drop(self, member: Member) -> None:
        """Closes a too slow member's connection in a task of its own: the close waits for the same full
        buffer, and a group's delivery never waits for one socket."""
        task = asyncio.create_task(member.handler.drop(member))
        self.closing.add(task)
        task.add_done_callback(self.closing.discard)

    def feed_of(self, operation: Operation) -> tuple[Feed, uuid.UUID] | None:
        """The feed and session of a groupable subscription (one field of FEEDS, its session id the one
        argument); None sends it the ordinary way."""
        operations = getattr(self.schema, "operations", None)
        if operations is None:
            return None
        try:
            document = operations.parse(operation.query)
        except GraphQLError:
            return None
        if operations.errors(self.schema._schema, operation.query):
            return None
        definition = get_operation_ast(document, operation.operation_name)
        if not isinstance(definition, OperationDefinitionNode) or definition.operation is not OperationType.SUBSCRIPTION:
            return None
        selections = definition.selection_set.selections
        if len(selections) != 1 or not isinstance(selections[0], FieldNode):
            return None
        feed = FEEDS.get(selections[0].name.value)
        if feed is None or selections[0].directives or len(selections[0].arguments) != 1:
            return None
        [argument] = selections[0].arguments
        value: Any = argument.value
        if value.kind == "variable":
            value = (operation.variables or {}).get(value.name.value)
        else:
            value = getattr(value, "value", None)
        try:
            return feed, uuid.UUID(str(value))
        except ValueError:
            return None

    async def execute(self, group: Group, context: Context, message: dict[str, Any]) -> bytes:
        """The event's payload for this group's selection, encoded once: `{"data": ...[, "errors": [...]]}`."""
        fresh = dataclasses.replace(context, loaders=Loaders(context.reader))
        document = self.schema.operations.parse(group.query)
        executor = self.schema.execution_context_class.build(
            self.schema._schema, document, root_value=group.feed.root(message), context_value=fresh,
            raw_variable_values=group.variables, operation_name=group.operation_name,
        )
        if isinstance(executor, list):  # input refused: as strawberry would report it
            errors, data = executor, None
        else:
            result = executor.execute_operation(False)
            if executor.is_awaitable(result):
                result = await result
            errors, data = list(result.errors or []), result.data
        payload: dict[str, Any] = {"data": data}
        if errors:
            self.schema.process_errors(errors)
            payload["errors"] = [error.formatted for error in errors]
        return json_bytes(payload)


class GroupedTransportWSHandler(BaseGraphQLTransportWSHandler):
    """strawberry's graphql-transport-ws handler, with `sessionEvents` subscriptions served by groups
    (the view's `fanout` hub)."""

    @property
    def hub(self) -> FanoutHub:
        return self.view.fanout  # type: ignore[attr-defined]

    async def run_operation(self, operation: Operation) -> None:
        found = self.hub.feed_of(operation)
        viewer = getattr(self.context, "viewer", None)
        if found is None or viewer is None:
            return await super().run_operation(operation)
        feed, session_id = found
        async with self.context.reader.connect() as conn:
            if not await training.readers_among(conn, session_id, [viewer.id]):
                return await super().run_operation(operation)  # it answers the refusal as it always does
        member = Member(self, operation.id, viewer.id)
        group = self._group(operation, feed, session_id)
        try:
            # Listening first, then SUBSCRIBED with the version it reads, then events: a write in
            # between shows as a version gap, never as an event before the SUBSCRIBED one.
            await group.ready.wait()
            await self._subscribed(group, member)
            group.join(member)
            await member.ended.wait()
            if member.operation_id in self.operations:  # ended by the server (its group stopped): say so
                await self.finish(member, "complete")
        finally:
            group.leave(member)
            if not group.members and group.task is not None:
                group.task.cancel()

    def _group(self, operation: Operation, feed: Feed, session_id: uuid.UUID) -> Group:
        variables = json.dumps(operation.variables or {}, sort_keys=True)  # escapes what orjson refuses
        key = (operation.query, operation.operation_name, variables)
        group = self.hub.groups.get(key)
        if group is None or group.task is None or group.task.done():
            group = Group(self.hub, key, feed, session_id, operation.query, operation.operation_name,
                          operation.variables)
            self.hub.groups[key] = group
            group.task = asyncio.create_task(group.run(self.context), name=f"fanout {session_id}")
        return group

    async def _subscribed(self, group: Group, member: Member) -> None:
        """The SUBSCRIBED event for this member alone: where its stream starts."""
        async with self.context.reader.connect() as conn:
            event = await group.feed.subscribed(conn, group.session_id)
        payload = await self.hub.execute(group, self.context, event)
        if not await self.websocket.send_shared(shared_payload(payload), member.head, SEND_TIMEOUT):
            await self.drop(member)

    async def finish(self, member: Member, kind: str) -> None:
        with contextlib.suppress(Exception):
            await self.send_message({"id": member.operation_id, "type": kind})
        self.operations.pop(member.operation_id, None)
        member.ended.set()

    async def drop(self, member: Member) -> None:
        """Closes a connection too slow to take its events: with 4408 once its buffer drains (uvicorn writes
        nothing while it is full), or cut after CLOSE_TIMEOUT."""
        member.ended.set()
        try:
            async with asyncio.timeout(CLOSE_TIMEOUT):
                with contextlib.suppress(Exception):  # already gone
                    await self.websocket.close(code=4408, reason="Too slow to take events")
        except TimeoutError:
            if member.socket is not None:
                member.socket.transport.abort()
