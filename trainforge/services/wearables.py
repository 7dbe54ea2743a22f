"""Wearable devices and their OAuth credentials, encrypted at rest.

Credentials are sealed with Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) under the keys of
TRAINFORGE_TOKEN_KEYS, comma-separated, the first one encrypting and all of them decrypting (MultiFernet):
to rotate, put a new key first, then `trainforge rotate-token-keys` re-encrypts every row with it, after
which the old key can go. Without configured keys, one key is derived from the server's secret (HKDF),
which is fine for development; production should set its own. No API field ever returns credentials.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from trainforge.config import Settings
from trainforge.db import Executor
from trainforge.models.wearables import Wearable, WearableStatus, WearableType
from trainforge.services.auth import Viewer
from trainforge.services.errors import Conflict, InvalidInput, NotFound, raise_problems

wearables = Wearable.__table__
MAX_WEARABLES = 20
MAX_TOKEN_CHARS = 4096


class Vault:
    """Seals and opens credentials with the configured keys."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ValueError("at least one key")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    @classmethod
    def from_settings(cls, settings: Settings) -> Vault:
        if settings.token_keys:
            try:
                return cls([key.strip().encode() for key in settings.token_keys.split(",") if key.strip()])
            except ValueError as exc:
                raise ValueError(f"TRAINFORGE_TOKEN_KEYS: each key is 32 url-safe base64-encoded bytes ({exc})") from exc
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"trainforge wearable credentials")
        return cls([base64.urlsafe_b64encode(derived.derive(settings.jwt_secret.encode()))])

    def seal(self, credentials: dict[str, Any]) -> bytes:
        return self._fernet.encrypt(orjson.dumps(credentials))

    def open(self, sealed: bytes) -> dict[str, Any]:
        return orjson.loads(self._fernet.decrypt(sealed))

    def rotate(self, sealed: bytes) -> bytes:
        """The same credentials sealed under the first key."""
        return self._fernet.rotate(sealed)


@dataclass(frozen=True, slots=True)
class Credentials:
    access_token: str
    refresh_token: str | None = None
    expires_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"access_token": self.access_token, "refresh_token": self.refresh_token,
                "expires_at": self.expires_at.isoformat() if self.expires_at else None}


def _check_credentials(credentials: Credentials) -> list[InvalidInput]:
    problems = []
    if not 1 <= len(credentials.access_token) <= MAX_TOKEN_CHARS:
        problems.append(InvalidInput(f"accessToken must be 1 to {MAX_TOKEN_CHARS} characters",
                                     field="input.accessToken"))
    if credentials.refresh_token is not None and not 1 <= len(credentials.refresh_token) <= MAX_TOKEN_CHARS:
        problems.append(InvalidInput(f"refreshToken must be 1 to {MAX_TOKEN_CHARS} characters",
                                     field="input.refreshToken"))
    return problems


def _check_text(value: str | None, field: str, required: bool) -> list[InvalidInput]:
    if value is None:
        return [InvalidInput(f"{field} is required", field=f"input.{field}")] if required else []
    if not 1 <= len(value.strip()) <= 120:
        return [InvalidInput(f"{field} must be 1 to 120 characters", field=f"input.{field}")]
    return []


async def connect(
    session: AsyncSession, viewer: Viewer, vault: Vault, kind: WearableType, name: str, model: str | None,
    credentials: Credentials,
) -> Row:
    """A device of the viewer's, connected with its credentials (sealed)."""
    raise_problems(_check_text(name, "name", True) + _check_text(model, "model", False)
                   + _check_credentials(credentials))
    count = await session.scalar(select(func.count()).where(wearables.c.user_id == viewer.id))
    if (count or 0) >= MAX_WEARABLES:
        raise InvalidInput(f"at most {MAX_WEARABLES} devices a user", field="input")
    stmt = insert(wearables).values(
        id=uuid.uuid4(), user_id=viewer.id, type=kind, name=name.strip(), model=model.strip() if model else None,
        status=WearableStatus.CONNECTED, credentials=vault.seal(credentials.as_dict()),
    ).returning(wearables)
    try:
        async with session.begin_nested():
            return (await session.execute(stmt)).one()
    except IntegrityError:
        raise Conflict("you have a device of that name", field="input.name") from None


async def update_wearable(
    session: AsyncSession, viewer: Viewer, vault: Vault, wearable_id: uuid.UUID, name: str | None,
    model: str | None, credentials: Credentials | None,
) -> Row:
    """Rename a device, or give it new credentials (it is then connected again)."""
    raise_problems(_check_text(name, "name", False) + _check_text(model, "model", False)
                   + (_check_credentials(credentials) if credentials else []))
    values: dict[str, Any] = {}
    if name is not None:
        values["name"] = name.strip()
    if model is not None:
        values["model"] = model.strip()
    if credentials is not None:
        values.update(credentials=vault.seal(credentials.as_dict()), status=WearableStatus.CONNECTED)
    return await _change(session, viewer, wearable_id, values)


async def disconnect(session: AsyncSession, viewer: Viewer, wearable_id: uuid.UUID) -> Row:
    """Forget the device's credentials; the device and its history stay."""
    return await _change(session, viewer, wearable_id, {"credentials": None, "status": WearableStatus.DISCONNECTED})


async def _change(session: AsyncSession, viewer: Viewer, wearable_id: uuid.UUID, values: dict[str, Any]) -> Row:
    stmt = select(wearables).where(wearables.c.id == wearable_id, wearables.c.user_id == viewer.id)
    if not values:
        row = (await session.execute(stmt)).first()
    else:
        try:
            async with session.begin_nested():
                row = (await session.execute(
                    update(wearables).where(wearables.c.id == wearable_id, wearables.c.user_id == viewer.id)
                    .values(**values).returning(wearables))).first()
        except IntegrityError:
            raise Conflict("you have a device of that name", field="input.name") from None
    if row is None:
        raise NotFound("no such device of yours", field="id")
    return row


async def remove(session: AsyncSession, viewer: Viewer, wearable_id: uuid.UUID) -> None:
    stmt = delete(wearables).where(wearables.c.id == wearable_id, wearables.c.user_id == viewer.id)
    if (await session.execute(stmt)).rowcount == 0:
        raise NotFound("no such device of yours", field="id")


async def synced(session: AsyncSession, user_id: uuid.UUID, device: str, at: datetime) -> None:
    """Samples came from the user's device of this name: it synced."""
    await session.execute(update(wearables).where(wearables.c.user_id == user_id, wearables.c.name == device)
                          .values(last_sync_at=func.greatest(func.coalesce(wearables.c.last_sync_at, at), at)))


async def of_user(db: Executor, user_id: uuid.UUID) -> list[Row]:
    stmt = select(wearables).where(wearables.c.user_id == user_id).order_by(wearables.c.created_at, wearables.c.id)
    return list((await db.execute(stmt)).all())


async def of_users(db: Executor, user_ids: Sequence[uuid.UUID]) -> list[Row]:
    stmt = select(wearables).where(wearables.c.user_id.in_(user_ids)).order_by(
        wearables.c.user_id, wearables.c.created_at, wearables.c.id)
    return list((await db.execute(stmt)).all())


async def rotate_keys(session: AsyncSession, vault: Vault, progress: Callable[[int, int], None]) -> int:
    """Seal every stored credential under the vault's first key; the count re-sealed. InvalidToken when a
    row was sealed under none of the vault's keys (nothing is written then)."""
    rows = (await session.execute(
        select(wearables.c.id, wearables.c.credentials).where(wearables.c.credentials.is_not(None)).with_for_update()
    )).all()
    for done, row in enumerate(rows, start=1):
        await session.execute(update(wearables).where(wearables.c.id == row.id)
                              .values(credentials=vault.rotate(row.credentials)))
        progress(done, len(rows))
    return len(rows)

