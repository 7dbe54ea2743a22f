"""Wearable devices of the viewer. Their OAuth credentials are accepted, sealed, and never returned."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import Info

from trainforge.models import wearables as models
from trainforge.resolvers import wearables as resolve
from trainforge.resolvers.common import parse_id
from trainforge.resolvers.context import Context
from trainforge.schema.errors import MutationError, to_mutation_errors
from trainforge.services.wearables import Credentials

WearableType = strawberry.enum(models.WearableType)
WearableStatus = strawberry.enum(models.WearableStatus, description="DISCONNECTED: its credentials are gone; "
                                 "ERROR: the vendor refused them (connect again).")


@strawberry.type(description="A device of the viewer's. Heart-rate samples naming it as their device mark it synced.")
class Wearable:
    id: strawberry.ID
    type: WearableType
    name: str
    model: str | None
    status: WearableStatus
    last_sync_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="Whether credentials are stored (they are never returned).")
    def has_credentials(self) -> bool:
        return self.credentials is not None  # type: ignore[attr-defined]


@strawberry.input
class ConnectWearableInput:
    type: WearableType
    name: str = strawberry.field(description="Unique among your devices; what its samples name as their device.")
    model: str | None = None
    access_token: str
    refresh_token: str | None = None
    expires_at: datetime | None = None


@strawberry.input
class UpdateWearableInput:
    id: strawberry.ID
    name: str | None = None
    model: str | None = None
    access_token: str | None = strawberry.field(default=None, description="New credentials (connects it again).")
    refresh_token: str | None = None
    expires_at: datetime | None = None


@strawberry.type
class WearablePayload:
    wearable: Wearable | None
    errors: list[MutationError]


@strawberry.type
class RemoveWearablePayload:
    removed_id: strawberry.ID | None
    errors: list[MutationError]


@strawberry.type
class WearablesQuery:
    @strawberry.field(description="The viewer's devices, oldest first (at most 20).")
    async def wearables(self, info: Info[Context, None]) -> list[Wearable]:
        return await resolve.mine(info.context)  # type: ignore[return-value]


@strawberry.type
class WearablesMutation:
    @strawberry.mutation(description="Connect a device with its OAuth credentials (sealed at rest).")
    async def connect_wearable(self, info: Info[Context, None], input: ConnectWearableInput) -> WearablePayload:
        credentials = Credentials(input.access_token, input.refresh_token, input.expires_at)
        outcome = await resolve.connect(info.context, input.type, input.name, input.model, credentials)
        return WearablePayload(wearable=outcome.value, errors=to_mutation_errors(outcome.errors))

    @strawberry.mutation(description="Rename a device or give it new credentials.")
    async def update_wearable(self, info: Info[Context, None], input: UpdateWearableInput) -> WearablePayload:
        credentials = (Credentials(input.access_token, input.refresh_token, input.expires_at)
                       if input.access_token is not None else None)
        outcome = await resolve.update(info.context, parse_id(input.id, "input.id"), input.name, input.model,
                                       credentials)
        return WearablePayload(wearable=outcome.value, errors=to_mutation_errors(outcome.errors))

    @strawberry.mutation(description="Forget a device's credentials; the device stays.")
    async def disconnect_wearable(self, info: Info[Context, None], id: strawberry.ID) -> WearablePayload:
        outcome = await resolve.disconnect(info.context, parse_id(id))
        return WearablePayload(wearable=outcome.value, errors=to_mutation_errors(outcome.errors))

    @strawberry.mutation(description="Remove a device and its credentials.")
    async def remove_wearable(self, info: Info[Context, None], id: strawberry.ID) -> RemoveWearablePayload:
        outcome = await resolve.remove(info.context, parse_id(id))
        return RemoveWearablePayload(removed_id=None if outcome.errors else id,
                                     errors=to_mutation_errors(outcome.errors))
